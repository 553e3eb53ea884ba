import { parsedOutputView } from './representations';

describe('parsed output view', () => {
  it('when a template parsed records, then it succeeded with the records and the template named', () => {
    // Arrange
    const json = JSON.stringify([{ VERSION: '15.2(4)M7' }]);

    // Act
    const view = parsedOutputView(json, null, 'cisco_ios_show_version.textfsm');

    // Assert
    expect(view).toEqual({
      success: true,
      method: 'textfsm',
      template: 'cisco_ios_show_version.textfsm',
      data: [{ VERSION: '15.2(4)M7' }],
      error: null,
    });
  });

  it('when the template matched no line, then it still succeeded with no records', () => {
    // Arrange
    const json = '[]';

    // Act
    const view = parsedOutputView(json, null, 'inline');

    // Assert
    expect(view).toEqual({
      success: true,
      method: 'textfsm',
      template: 'inline',
      data: [],
      error: null,
    });
  });

  it('when the template failed, then it did not succeed and the error and template are given', () => {
    // Arrange
    const error = 'Error: unexpected. Rule Line: 5. Input Line: % oops.';

    // Act
    const view = parsedOutputView(null, error, 'custom-strict');

    // Assert
    expect(view).toEqual({
      success: false,
      method: 'textfsm',
      template: 'custom-strict',
      data: [],
      error,
    });
  });

  it('when no template applied, then there is no method, no template and no error', () => {
    // Arrange
    const stored = { json: null, error: null, template: null };

    // Act
    const view = parsedOutputView(stored.json, stored.error, stored.template);

    // Assert
    expect(view).toEqual({ success: false, method: null, template: null, data: [], error: null });
  });

  it('when a result stored before template names were kept has records, then they read as parsed with no template', () => {
    // Arrange
    const json = JSON.stringify([{ NAME: 'Gi1' }]);

    // Act
    const parsed = parsedOutputView(json, undefined, undefined);
    const empty = parsedOutputView('[]', undefined, undefined);
    const failed = parsedOutputView(null, 'Invalid regular expression', undefined);
    const none = parsedOutputView(undefined, undefined, undefined);

    // Assert
    expect(parsed).toEqual({
      success: true,
      method: 'textfsm',
      template: null,
      data: [{ NAME: 'Gi1' }],
      error: null,
    });
    expect(empty).toMatchObject({ success: true, method: 'textfsm', template: null, data: [] });
    expect(failed).toMatchObject({ success: false, method: 'textfsm', template: null });
    expect(none).toEqual({ success: false, method: null, template: null, data: [], error: null });
  });
});
