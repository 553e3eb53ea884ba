import { Pager } from './pager';

const IOS = {
  moreText: ' --More-- ',
  showPercent: false,
  otherKeyQuits: true,
  erase: 'backspace' as const,
};
const JUNOS = {
  moreText: '---(more)---',
  showPercent: true,
  otherKeyQuits: false,
  erase: 'carriage-return' as const,
};
const text = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';

describe('Pager', () => {
  it('when output is longer than a page, then the first page ends with the more prompt', () => {
    const step = new Pager(text, 10, IOS).start();

    expect(step.done).toBe(false);
    expect(step.output.split('\n')).toHaveLength(10);
    expect(step.output.endsWith('line 9\n --More-- ')).toBe(true);
  });

  it('when space is pressed, then the next page follows; enter shows one line', () => {
    const pager = new Pager(text, 10, IOS);
    pager.start();

    const page = pager.press(' ');
    const line = pager.press('\r');

    expect(page.output).toContain('line 18\n --More-- ');
    expect(line.output).toMatch(/line 19\n --More-- $/);
  });

  it('when q is pressed, then paging stops', () => {
    const pager = new Pager(text, 10, IOS);
    pager.start();

    const step = pager.press('q');

    expect(step.done).toBe(true);
    expect(step.output).not.toContain('line');
  });

  it('when output fits, then no more prompt is shown', () => {
    const step = new Pager('a\nb\n', 24, IOS).start();

    expect(step).toEqual({ output: 'a\nb\n', done: true });
  });

  it('when the style is Junos, then the more prompt shows the percentage and unknown keys are ignored', () => {
    const pager = new Pager(text, 10, JUNOS);

    expect(pager.start().output).toMatch(/---\(more 30%\)---$/);
    expect(pager.press('x')).toEqual({ output: '', done: false });
  });
});
