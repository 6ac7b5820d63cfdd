"""The demo's outside world (`smarthis serve --with-simulators`): the LIS, the bank and the
XML 130 claims portal, each a simulator speaking its real protocol on loopback, started
beside the app so lab orders get results, kiosk VietQR payments get the bank's
notification and queued claims get the portal's answer."""

from __future__ import annotations

import threading
from urllib.parse import urlsplit

from smarthis.config import Settings
from smarthis.insurance.portal_simulator import is_loopback_host


def _loopback(host: str, what: str) -> str:
    if not is_loopback_host(host):
        raise ValueError(f"the demo's {what} simulator serves loopback only, not {host!r}")
    return host


def start_lis_simulator(settings: Settings) -> str:
    """Takes our lab orders at lis_host:lis_port and sends results to our listener."""
    from smarthis.integrations.hl7.simulator import LisSimulator

    simulator = LisSimulator(
        host=_loopback(settings.lis_host, "LIS"),
        port=settings.lis_port,
        results_to=(settings.lis_listen_host, settings.lis_listen_port),
        result_delay_s=5.0,
    ).start()
    return f"{simulator.host}:{simulator.port}"


def start_bank_simulator(settings: Settings, app_base_url: str) -> str:
    """Pays a VietQR and posts the signed notification to this app's webhook."""
    import uvicorn

    from smarthis.billing.bank_simulator import create_bank_simulator_app

    url = urlsplit(settings.bank_sim_url)
    app = create_bank_simulator_app(
        f"{app_base_url}/api/bank/notifications", settings.bank_webhook_secret
    )
    config = uvicorn.Config(
        app,
        host=_loopback(url.hostname or "127.0.0.1", "bank"),
        port=url.port or 8083,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, name="bank-simulator", daemon=True).start()
    return settings.bank_sim_url


def start_claims_simulator(settings: Settings) -> str:
    """Receives the queued XML 130 claims at claims_portal_url and answers each."""
    import uvicorn

    from smarthis.insurance.claims.simulator import create_claims_simulator

    url = urlsplit(settings.claims_portal_url)
    app = create_claims_simulator(
        username=settings.claims_username,
        password=settings.claims_password,
        facility_code=settings.facility_code,
    )
    config = uvicorn.Config(
        app,
        host=_loopback(url.hostname or "127.0.0.1", "claims portal"),
        port=url.port or 8084,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, name="claims-simulator", daemon=True).start()
    return settings.claims_portal_url
