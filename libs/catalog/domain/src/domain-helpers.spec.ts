import { matchesFilter } from './filter-matcher';
import { driverForPlatform } from './platform-aliases';
import { closestMatches } from '@toolkit/errors';

describe('platform aliases', () => {
  it.each([
    ['ios', 'cisco_ios'],
    ['Cisco_IOS', 'cisco_ios'],
    ['iosxe', 'cisco_ios'],
    ['ios-xe', 'cisco_ios'],
    ['cisco_xe', 'cisco_ios'],
    ['cisco_iosxe', 'cisco_ios'],
    ['Cisco IOS', 'cisco_ios'],
    ['nxos', 'cisco_nxos'],
    ['nexus', 'cisco_nxos'],
    ['Cisco NXOS', 'cisco_nxos'],
    ['iosxr', 'cisco_xr'],
    ['ios-xr', 'cisco_xr'],
    ['cisco_iosxr', 'cisco_xr'],
    ['eos', 'arista_eos'],
    ['arista_eos', 'arista_eos'],
    ['junos', 'juniper_junos'],
    ['juniper_junos', 'juniper_junos'],
    ['linux', 'linux'],
    ['frr', 'frr'],
    [' EOS ', 'arista_eos'],
    ['asa', null],
    ['generic', null],
    ['autodetect', null],
    ['something', null],
  ])('when the platform is %j, then the driver is %j', (slug, driver) => {
    expect(driverForPlatform(slug)).toBe(driver);
  });

  it('when the slug is unknown but the name is an alias, then the name decides', () => {
    expect(driverForPlatform('edge-routers', 'Juniper JunOS')).toBe('juniper_junos');
    expect(driverForPlatform('edge-routers', 'Core switches')).toBe(null);
  });
});

describe('filter matcher (permission constraints in memory)', () => {
  const doc = {
    _id: 3,
    name: 'show version',
    command_type: 'show',
    platforms: [
      { id: 1, slug: 'ios' },
      { id: 2, slug: 'eos' },
    ],
    created: new Date('2025-01-02'),
  };

  it.each([
    [{ command_type: 'show' }, true],
    [{ command_type: 'config' }, false],
    [{ 'platforms.slug': 'eos' }, true],
    [{ 'platforms.slug': { $in: ['junos', 'ios'] } }, true],
    [{ 'platforms.id': { $nin: [1] } }, false],
    [{ name: { $regex: 'VERSION', $options: 'i' } }, true],
    [{ $nor: [{ name: { $regex: 'ver', $options: 'i' } }] }, false],
    [{ $or: [{ command_type: 'config' }, { _id: 3 }] }, true],
    [{ $and: [{ command_type: 'show' }, { _id: { $gt: 3 } }] }, false],
    [{ created: { $gte: new Date('2025-01-01') } }, true],
    [{ description: null }, true],
    [{ name: { $ne: null } }, true],
    [{ _id: { $in: [] } }, false],
  ])('when the filter is %j, then the match is %s', (filter, expected) => {
    expect(matchesFilter(doc, filter)).toBe(expected);
  });
});

describe('suggestions', () => {
  it.each([
    ['Gi0/2', ['Gi0/1', 'Gi0/10', 'Te1/1', 'Loopback0'], ['Gi0/1', 'Gi0/10']],
    ['loopback', ['Loopback0', 'Vlan10'], ['Loopback0']],
    ['zzz', ['Loopback0'], []],
  ])('when %j is mistyped among %j, then the closest are %j', (value, candidates, expected) => {
    expect(closestMatches(value, candidates)).toEqual(expected);
  });
});
