-- Inspections (监督检查) under Art. 16: plans, random draws (双随机), the inspections
-- themselves, joint inspections with public security (会同), document requests and
-- rectification orders with their time limits, and the processor's materials.

CREATE TABLE inspection_plans (
    id             UUID PRIMARY KEY,
    province_code  TEXT NOT NULL REFERENCES regions (code),
    title          TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    period_start   DATE NOT NULL,
    period_end     DATE NOT NULL CHECK (period_end >= period_start),
    created_by     UUID NOT NULL REFERENCES users (id),
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX inspection_plans_province ON inspection_plans (province_code, period_start DESC);

-- A random draw: its seed is written first (before the pool is read); its pools and result
-- once, when it completes. A completed draw is never changed and no draw is ever deleted, so
-- drawing again until a favoured result appears shows in the record.
CREATE TABLE inspection_draws (
    id                    UUID PRIMARY KEY,
    plan_id               UUID REFERENCES inspection_plans (id),
    province_code         TEXT NOT NULL REFERENCES regions (code),
    algorithm             TEXT NOT NULL,
    seed                  TEXT NOT NULL CHECK (seed ~ '^[0-9a-f]{64}$'),
    seed_given            BOOLEAN NOT NULL,
    filters               JSONB NOT NULL,
    targets_requested     INTEGER NOT NULL CHECK (targets_requested >= 0),
    inspectors_requested  INTEGER NOT NULL CHECK (inspectors_requested >= 0),
    pool                  UUID[],
    pool_sha256           TEXT,
    staff_pool            UUID[],
    staff_sha256          TEXT,
    target_ids            UUID[],
    inspector_ids         UUID[],
    drawn_by              UUID NOT NULL REFERENCES users (id),
    created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    completed_at          TIMESTAMPTZ
);
CREATE INDEX inspection_draws_province ON inspection_draws (province_code, created_at DESC);
CREATE INDEX inspection_draws_plan ON inspection_draws (plan_id, created_at);

CREATE FUNCTION inspection_draws_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'inspection draws are never deleted' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.completed_at IS NOT NULL THEN
        RAISE EXCEPTION 'a completed inspection draw is never changed' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER inspection_draws_frozen BEFORE UPDATE OR DELETE ON inspection_draws
    FOR EACH ROW EXECUTE FUNCTION inspection_draws_frozen();

-- Conflicts of interest (回避) inspectors declare; the draw leaves them out.
CREATE TABLE inspector_conflicts (
    user_id          UUID NOT NULL REFERENCES users (id),
    organisation_id  UUID NOT NULL REFERENCES organisations (id),
    reason           TEXT NOT NULL,
    declared_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, organisation_id)
);

CREATE TABLE inspections (
    id               UUID PRIMARY KEY,
    plan_id          UUID REFERENCES inspection_plans (id),
    draw_id          UUID REFERENCES inspection_draws (id),
    province_code    TEXT NOT NULL REFERENCES regions (code),
    organisation_id  UUID NOT NULL REFERENCES organisations (id),
    source           TEXT NOT NULL CHECK (source IN ('draw', 'risk', 'complaint', 'notification')),
    status           TEXT NOT NULL,
    inspector_ids    UUID[] NOT NULL DEFAULT '{}',
    notice           TEXT,
    findings         JSONB,
    result           TEXT,
    rectified        BOOLEAN,
    notified_at      TIMESTAMPTZ,
    closed_at        TIMESTAMPTZ,
    created_by       UUID NOT NULL REFERENCES users (id),
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    version          INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX inspections_province ON inspections (province_code, created_at DESC);
CREATE INDEX inspections_organisation ON inspections (organisation_id, created_at DESC);

-- Public-security units (or other agencies) invited to a joint inspection: their staff see
-- that inspection, and only that one.
CREATE TABLE inspection_agencies (
    inspection_id  UUID NOT NULL REFERENCES inspections (id),
    agency_id      UUID NOT NULL REFERENCES agencies (id),
    invited_by     UUID NOT NULL REFERENCES users (id),
    invited_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (inspection_id, agency_id)
);
CREATE INDEX inspection_agencies_agency ON inspection_agencies (agency_id);

-- What the inspection asks of the processor: a document request (调取材料) or a
-- rectification order (责令改正), each with its time limit (a deadline of the inspection).
CREATE TABLE inspection_items (
    id             UUID PRIMARY KEY,
    inspection_id  UUID NOT NULL REFERENCES inspections (id),
    kind           TEXT NOT NULL CHECK (kind IN ('request', 'order')),
    description    TEXT NOT NULL,
    working_days   INTEGER NOT NULL CHECK (working_days BETWEEN 1 AND 3650),
    status         TEXT NOT NULL CHECK (status IN ('open', 'answered', 'accepted', 'rejected')),
    answer         TEXT,
    answered_at    TIMESTAMPTZ,
    answered_by    UUID REFERENCES users (id),
    created_by     UUID NOT NULL REFERENCES users (id),
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX inspection_items_inspection ON inspection_items (inspection_id, created_at);

-- Materials the processor gives in answer; bytes live in the blob store.
CREATE TABLE inspection_materials (
    id             UUID PRIMARY KEY,
    inspection_id  UUID NOT NULL REFERENCES inspections (id),
    item_id        UUID NOT NULL REFERENCES inspection_items (id),
    filename       TEXT NOT NULL,
    content_type   TEXT NOT NULL,
    size_bytes     BIGINT NOT NULL,
    sha256         TEXT NOT NULL,
    blob_key       TEXT NOT NULL UNIQUE,
    uploaded_by    UUID NOT NULL REFERENCES users (id),
    uploaded_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX inspection_materials_item ON inspection_materials (item_id);
