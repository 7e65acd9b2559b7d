-- Registration that proves something: a self-registered organisation stays pending, and its
-- admin cannot log in, until the admin's address is confirmed by a mailed link; a second claim
-- on a USCC already held becomes a dispute the province's reviewers decide. Passwords set by
-- someone else (an admin, an import, an operator) are changed at first login.
ALTER TABLE organisations ADD COLUMN status text NOT NULL DEFAULT 'active'
    CHECK (status IN ('pending', 'active'));
ALTER TABLE users ADD COLUMN address_confirmed boolean NOT NULL DEFAULT true;
ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;

-- One table of mailed single-use links: password resets and address confirmations. A link of
-- one purpose is never accepted for the other.
ALTER TABLE password_resets ADD COLUMN purpose text NOT NULL DEFAULT 'reset'
    CHECK (purpose IN ('reset', 'confirm'));

CREATE TABLE registration_disputes (
    id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    province_code text NOT NULL,
    uscc text NOT NULL,
    -- The claim as sent: organisation name, contacts, the admin's address and name, locale.
    claimant jsonb NOT NULL,
    -- The claimant admin's password (argon2), for the account made if the claim is upheld.
    claimant_password_hash text NOT NULL,
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'upheld', 'dismissed')),
    note text,
    created_at timestamptz NOT NULL DEFAULT now(),
    decided_at timestamptz,
    decided_by uuid REFERENCES users (id)
);

CREATE INDEX registration_disputes_queue ON registration_disputes (province_code, status, id);
