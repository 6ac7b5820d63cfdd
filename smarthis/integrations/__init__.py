"""Links to outside systems (LIS over HL7, later claims, webhooks, PACS), each an adapter
behind a small interface, and the transactional outbox that carries their messages out."""
