import { CommandTree, numberParam, restParam, tokenize } from './command-tree';

type Ctx = Record<string, never>;
const ctx: Ctx = {};

function tree(): CommandTree<Ctx, string> {
  return new CommandTree<Ctx, string>(
    [
      { pattern: 'show version', run: () => 'version' },
      { pattern: 'show ip interface brief', run: () => 'brief' },
      { pattern: 'show interfaces', run: () => 'interfaces' },
      { pattern: 'show inventory', run: () => 'inventory' },
      { pattern: 'vlan {id}', run: (_c, a) => `vlan ${a['id'] ?? ''}` },
      { pattern: 'description {text}', run: (_c, a) => `desc ${a['text'] ?? ''}` },
    ],
    { id: numberParam(1, 4094), text: restParam() },
  );
}

describe('CommandTree', () => {
  it('when every word is a unique prefix, then the command resolves', () => {
    const m = tree().match('sh ip int br', ctx);

    expect(m.kind).toBe('match');
    expect(m.kind === 'match' && m.run(ctx, m.args)).toBe('brief');
  });

  it('when a word matches several keywords, then the match is ambiguous with the candidates', () => {
    const m = tree().match('sh in', ctx);

    expect(m).toMatchObject({
      kind: 'ambiguous',
      tokenIndex: 1,
      candidates: ['interfaces', 'inventory'],
    });
  });

  it('when a word matches nothing, then the caret points at the first mismatching character', () => {
    const m = tree().match('show verzion', ctx);

    expect(m).toMatchObject({ kind: 'invalid', tokenIndex: 1, caret: 'show ver'.length });
  });

  it('when the line stops before a runnable node, then it is incomplete', () => {
    expect(tree().match('show ip', ctx).kind).toBe('incomplete');
  });

  it('when a number parameter is out of range, then the input is invalid', () => {
    expect(tree().match('vlan 5000', ctx).kind).toBe('invalid');
    const ok = tree().match('vlan 42', ctx);
    expect(ok.kind === 'match' && ok.run(ctx, ok.args)).toBe('vlan 42');
  });

  it('when a rest-of-line parameter is used, then spacing is kept verbatim', () => {
    const m = tree().match('desc  uplink  to core', ctx);

    expect(m.kind === 'match' && m.run(ctx, m.args)).toBe('desc uplink  to core');
  });

  it('when quotes are enabled, then a quoted string is one token', () => {
    expect(tokenize('set x "a b" c', { quotes: true }).map((t) => t.text)).toEqual([
      'set',
      'x',
      'a b',
      'c',
    ]);
  });
});
