"""FastAPI app factory: one database, every domain's routes and pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

from smarthis.config import Settings, get_settings
from smarthis.db import Database
from smarthis.events import PostgresListener
from smarthis.insurance.portal_client import BhxhPortalClient, CardCheckPortal
from smarthis.security.deps import require
from smarthis.security.permissions import Permission
from smarthis.web.errors import install_error_handlers
from smarthis.web.input_guard import RefuseNulText

STATIC_DIR = Path(__file__).parent / "web" / "static"


def create_app(
    settings: Settings | None = None,
    db: Database | None = None,
    portal: CardCheckPortal | None = None,
) -> FastAPI:
    settings = settings or get_settings()
    database = db or Database(settings.database_url)
    portal = portal or BhxhPortalClient.from_settings(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        workers = app.state.background_workers
        for worker in workers:
            worker.start()
        yield
        for worker in workers:
            worker.stop()
        if db is None:
            database.dispose()

    app = FastAPI(
        title="SmartHIS",
        version="0.1.0",
        description="Hệ thống thông tin bệnh viện — Hospital information system",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = database
    app.state.portal = portal
    app.state.background_workers = []
    if not database.is_sqlite:
        # Events from the other app processes (and this one) arrive by LISTEN/NOTIFY.
        app.state.background_workers.append(PostgresListener(database.url))
    install_error_handlers(app)
    app.add_middleware(RefuseNulText)

    @app.get("/health", dependencies=[Depends(require(Permission.PUBLIC))])
    def health() -> dict[str, str]:
        with database.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok", "database": database.engine.dialect.name}

    from smarthis.billing.api import router as billing_router
    from smarthis.billing.bank_api import router as bank_router
    from smarthis.billing.kiosk_api import router as kiosk_billing_router
    from smarthis.billing.pages import router as cashier_pages_router
    from smarthis.clinical.api import router as visits_router
    from smarthis.clinical.appointments_api import router as appointments_router
    from smarthis.clinical.examination_api import router as examination_router
    from smarthis.clinical.pages import router as clinical_pages_router
    from smarthis.clinical.timeline_api import router as timeline_router
    from smarthis.consultations.api import router as consultations_router
    from smarthis.consultations.pages import router as consultations_pages_router
    from smarthis.documents.api import router as documents_router
    from smarthis.documents.pages import router as documents_pages_router
    from smarthis.inpatient.api import router as inpatient_router
    from smarthis.inpatient.charges_api import router as inpatient_charges_router
    from smarthis.inpatient.pages import router as inpatient_pages_router
    from smarthis.insurance.api import router as insurance_router
    from smarthis.insurance.claims.api import router as claims_router
    from smarthis.insurance.claims.pages import router as claims_pages_router
    from smarthis.integrations.dicom.api import router as imaging_router
    from smarthis.integrations.hl7.api import router as hl7_interfaces_router
    from smarthis.integrations.hl7.pages import router as hl7_interfaces_pages_router
    from smarthis.kiosk.api import router as kiosk_router
    from smarthis.kiosk.pages import router as kiosk_pages_router
    from smarthis.orders.api import router as orders_router
    from smarthis.orders.catalog_api import router as service_catalog_router
    from smarthis.orders.live_api import router as visit_live_router
    from smarthis.orders.pages import router as results_pages_router
    from smarthis.patients.api import router as patients_router
    from smarthis.pharmacy.api import router as prescriptions_router
    from smarthis.pharmacy.dispensing_api import router as pharmacy_router
    from smarthis.pharmacy.pages import router as pharmacy_pages_router
    from smarthis.queueing.api import router as queue_router
    from smarthis.queueing.display_api import router as display_router
    from smarthis.queueing.pages import router as queue_pages_router
    from smarthis.reports.api import router as reports_router
    from smarthis.reports.pages import router as management_pages_router
    from smarthis.security.api import router as security_router
    from smarthis.staff.api import router as staff_router
    from smarthis.web.pages import router as pages_router

    for router in (
        security_router,
        patients_router,
        visits_router,
        examination_router,
        appointments_router,
        timeline_router,
        insurance_router,
        queue_router,
        display_router,
        kiosk_router,
        orders_router,
        prescriptions_router,
        pages_router,
        queue_pages_router,
        kiosk_pages_router,
        clinical_pages_router,
        service_catalog_router,
        visit_live_router,
        results_pages_router,
        imaging_router,
        hl7_interfaces_router,
        hl7_interfaces_pages_router,
        billing_router,
        bank_router,
        kiosk_billing_router,
        cashier_pages_router,
        consultations_router,
        consultations_pages_router,
        claims_router,
        claims_pages_router,
        inpatient_router,
        inpatient_charges_router,
        inpatient_pages_router,
        pharmacy_router,
        pharmacy_pages_router,
        documents_router,
        documents_pages_router,
        staff_router,
        reports_router,
        management_pages_router,
    ):
        app.include_router(router)
    from smarthis.integrations.emr.api import router as emr_router
    from smarthis.integrations.fhir.api import router as fhir_router

    app.include_router(emr_router)  # delivery status of the EMR portal link
    app.include_router(fhir_router)  # /fhir: read-only FHIR R4 (own error bodies)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
