// Demo data for the local stack (tools/scripts/up.sh), idempotent:
//  - the simulated devices' inventory into the catalog (the catalog's own loader);
//  - demo commands and a credential set for the simulated devices, through the public
//    API with the superuser token, the way a user would create them.
// Env: GATEWAY_URL, SUPERUSER_API_TOKEN, INVENTORY, MONGODB_URI, KAFKA_BROKERS (+ secrets).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const gateway = process.env.GATEWAY_URL;
const token = process.env.SUPERUSER_API_TOKEN;
const inventoryPath = process.env.INVENTORY;

async function api(method, urlPath, body) {
  const response = await fetch(`${gateway}${urlPath}`, {
    method,
    headers: {
      Authorization: `Token ${token}`,
      'Content-Type': 'application/json',
      Accept: 'application/json',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok)
    throw new Error(`${method} ${urlPath}: ${response.status} ${text.slice(0, 500)}`);
  return data;
}

async function findOne(urlPath, query) {
  const page = await api('GET', `${urlPath}?${new URLSearchParams(query)}`);
  return page.results[0];
}

function loadInventory() {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'apps/catalog/src/tools/load-inventory.ts'), inventoryPath],
    { cwd: root, env: { ...process.env, HTTP_PORT: '0', LOG_LEVEL: 'warn' }, encoding: 'utf8' },
  );
  if (result.status !== 0)
    throw new Error(`inventory load failed:\n${result.stderr}${result.stdout}`);
  // The loader prints its counts as one JSON line among its (JSON) log lines.
  const counts = result.stdout
    .split('\n')
    .filter((line) => line.startsWith('{') && !line.includes('"level"'))
    .at(-1);
  return counts ?? '(no counts printed)';
}

const OLD_INTERFACE_BRIEF_TEMPLATE = readFileSync(
  path.join(root, 'libs/textfsm/test/fixtures/cisco_ios_show_ip_interface_brief/template.textfsm'),
  'utf8',
);

const DEMO_COMMANDS = [
  {
    name: 'Show version',
    command: 'show version',
    slugs: ['ios', 'nxos', 'eos', 'junos'],
    description: 'Software and hardware summary',
  },
  {
    name: 'Interface brief',
    command: 'show ip interface brief',
    slugs: ['ios', 'eos'],
    description: 'Interfaces with addresses and status',
    // The community library's template for each platform (an inline IOS template failed
    // on EOS output: one template cannot serve two platforms' formats).
    parsing_template: 'auto',
  },
  {
    name: 'Show interface',
    command: 'show interfaces <interface>',
    slugs: ['ios', 'nxos', 'eos'],
    description: 'One interface in detail',
    variables: [
      {
        name: 'interface',
        display_name: 'Interface',
        variable_type: 'netbox_interface',
        required: true,
      },
    ],
  },
  {
    name: 'Create VLAN',
    command: 'vlan <vlan_id>',
    slugs: ['ios', 'eos'],
    command_type: 'config',
    description: 'Create a VLAN (configuration mode)',
    variables: [
      { name: 'vlan_id', display_name: 'VLAN id', variable_type: 'text', required: true },
    ],
  },
  {
    name: 'Linux addresses',
    command: 'ip -br addr',
    slugs: ['linux'],
    description: 'Addresses of a Linux host',
  },
];

async function main() {
  if (!gateway || !token || !inventoryPath)
    throw new Error('GATEWAY_URL, SUPERUSER_API_TOKEN and INVENTORY are required');
  console.error(`[seed] inventory: ${loadInventory()}`);
  const platforms = await api('GET', '/api/dcim/platforms/?limit=0');
  const platformId = Object.fromEntries(platforms.results.map((p) => [p.slug, p.id]));
  for (const demo of DEMO_COMMANDS) {
    const ids = demo.slugs.map((s) => platformId[s]).filter(Boolean);
    if (ids.length === 0) continue;
    const existing = await findOne('/api/plugins/toolkit/commands/', { name: demo.name });
    if (existing) {
      // A stack seeded before 2026-12-03 holds an IOS-only inline template here, which fails
      // on EOS output: moved to the library's template of each platform, if still unchanged.
      if (existing.parsing_template === OLD_INTERFACE_BRIEF_TEMPLATE)
        await api('PATCH', `/api/plugins/toolkit/commands/${existing.id}/`, {
          parsing_template: demo.parsing_template,
        });
      continue;
    }
    const { slugs: _slugs, ...body } = demo;
    await api('POST', '/api/plugins/toolkit/commands/', { ...body, platforms: ids });
  }
  const inventory = JSON.parse(readFileSync(inventoryPath, 'utf8'));
  const login = inventory.devices[0]?.credentials;
  const tokenFile = path.join(path.dirname(inventoryPath), 'credential-token.txt');
  if (
    login &&
    !(await findOne('/api/plugins/toolkit/credential-sets/', { name: 'simulated devices' }))
  ) {
    const created = await api('POST', '/api/plugins/toolkit/credential-sets/', {
      name: 'simulated devices',
      description: 'Login of the local simulated fleet',
      username: login.username,
      password: login.password,
      enable_secret: login.enableSecret ?? null,
    });
    writeFileSync(tokenFile, `${created.token ?? created.credential_token ?? ''}\n`, {
      mode: 0o600,
    });
  }
  const counts = await Promise.all(
    ['/api/dcim/devices/', '/api/plugins/toolkit/commands/'].map(
      async (p) => `${p} ${(await api('GET', `${p}?limit=1`)).count}`,
    ),
  );
  console.error(`[seed] ${counts.join(', ')}; credential token in ${tokenFile}`);
}

main().catch((error) => {
  console.error(`[seed] ${error.message}`);
  process.exit(1);
});
