"""pynetbox against the gateway: list, filter, get, create, update and delete commands and
devices, and page through more than 1,000 objects. GATEWAY_URL and GATEWAY_TOKEN (a
superuser's token) come from the environment. Prints one line per check; exits 1 on failure."""
import os
import sys
import uuid

import pynetbox

url = os.environ["GATEWAY_URL"].rstrip("/")
token = os.environ["GATEWAY_TOKEN"]
bulk_count = int(os.environ.get("PYNETBOX_BULK_COUNT", "1050"))
nb = pynetbox.api(url, token=token)
tag = uuid.uuid4().hex[:8]
created_devices = []


def check(name, condition):
    print(("ok   " if condition else "FAIL ") + name, flush=True)
    if not condition:
        raise SystemExit(1)


try:
    check("API-Version header read by pynetbox", nb.version == "4.2")
    status = nb.status()
    check("status answers with the service versions", "services" in status)

    platform = nb.dcim.platforms.create(name=f"IOS {tag}", slug=f"ios-{tag}")
    site = nb.dcim.sites.create(name=f"Site {tag}", slug=f"site-{tag}")
    check("platform and site created", platform.id > 0 and site.id > 0)

    # Commands (plugin endpoint)
    cmd = nb.plugins.toolkit.commands.create(
        name=f"show version {tag}", command="show version", command_type="show", platforms=[platform.id]
    )
    check("command created", cmd.id > 0)
    found = list(nb.plugins.toolkit.commands.filter(name=cmd.name))
    check("command found by filter", [c.id for c in found] == [cmd.id])
    got = nb.plugins.toolkit.commands.get(cmd.id)
    check("command got by id", got.name == cmd.name)
    got.description = "updated by pynetbox"
    check("command saved", got.save())
    check("command update visible", nb.plugins.toolkit.commands.get(cmd.id).description == "updated by pynetbox")
    check("commands listed", any(c.id == cmd.id for c in nb.plugins.toolkit.commands.all()))

    # Devices
    dev = nb.dcim.devices.create(name=f"r1-{tag}", platform=platform.id, site=site.id, host="192.0.2.1")
    created_devices.append(dev)
    check("device created", dev.id > 0)
    check("device got by name", nb.dcim.devices.get(name=f"r1-{tag}").id == dev.id)
    dev.description = "edge router"
    check("device saved", dev.save())
    check("device update visible", nb.dcim.devices.get(dev.id).description == "edge router")
    check("device filtered with a lookup", len(list(nb.dcim.devices.filter(name__isw=f"r1-{tag}"))) == 1)

    # Paging through more than 1,000 objects (bulk create in chunks, then iterate).
    for start in range(0, bulk_count, 500):
        chunk = [
            {"name": f"bulk-{tag}-{i:05d}", "site": site.id, "platform": platform.id, "host": "192.0.2.2"}
            for i in range(start, min(start + 500, bulk_count))
        ]
        created_devices.extend(nb.dcim.devices.create(chunk))
    names = [d.name for d in nb.dcim.devices.filter(name__isw=f"bulk-{tag}-")]
    check(f"paged through {len(names)} devices", len(names) == bulk_count and len(set(names)) == bulk_count)
    check("count without fetching", nb.dcim.devices.count(name__isw=f"bulk-{tag}-") == bulk_count)

    check("command deleted", got.delete())
    check("deleted command is gone", nb.plugins.toolkit.commands.get(cmd.id) is None)
finally:
    if created_devices:
        for start in range(0, len(created_devices), 500):
            nb.dcim.devices.delete(created_devices[start : start + 500])
print("pynetbox: all checks passed")
