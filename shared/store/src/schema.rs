//! Diesel table definitions, kept in step with `migrations/` by hand.
// @generated-style layout: one `table!` per migration table, alphabetical.

diesel::table! {
    agencies (id) {
        id -> Uuid,
        kind -> Text,
        name -> Text,
        province_code -> Nullable<Text>,
        created_at -> Timestamptz,
        level -> Text,
        parent_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    attachments (id) {
        id -> Uuid,
        organisation_id -> Uuid,
        filing_id -> Uuid,
        kind -> Text,
        filename -> Text,
        content_type -> Text,
        size_bytes -> Int8,
        sha256 -> Text,
        blob_key -> Text,
        uploaded_by -> Uuid,
        uploaded_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Int8,
        at -> Timestamptz,
        actor_id -> Nullable<Uuid>,
        actor_label -> Text,
        client_ip -> Nullable<Text>,
        request_id -> Nullable<Text>,
        action -> Text,
        entity_type -> Text,
        entity_id -> Text,
        before -> Nullable<Jsonb>,
        after -> Nullable<Jsonb>,
        seq -> Nullable<Int8>,
        prev_hash -> Nullable<Bytea>,
        hash -> Nullable<Bytea>,
        hash_alg -> Nullable<Text>,
    }
}

diesel::table! {
    audit_chain_head (singleton) {
        singleton -> Bool,
        seq -> Int8,
        hash -> Bytea,
        sealed_at -> Timestamptz,
        hash_alg -> Text,
    }
}

diesel::table! {
    calendar_days (version, day) {
        version -> Text,
        day -> Date,
        kind -> Text,
        name -> Nullable<Text>,
    }
}

diesel::table! {
    calendar_versions (version) {
        version -> Text,
        year -> Int4,
        source -> Text,
        document -> Text,
        working_days -> Int4,
        loaded_at -> Timestamptz,
        active -> Bool,
    }
}

diesel::table! {
    deadlines (id) {
        id -> Uuid,
        entity_type -> Text,
        entity_id -> Uuid,
        purpose -> Text,
        start_date -> Date,
        working_days -> Int4,
        due_date -> Date,
        provisional -> Bool,
        calendar_versions -> Array<Text>,
        met_on -> Nullable<Date>,
        late_by_working_days -> Nullable<Int4>,
        computed_at -> Timestamptz,
        overdue_since -> Nullable<Date>,
    }
}

diesel::table! {
    deadline_alerts (deadline_id, kind, due_date) {
        deadline_id -> Uuid,
        kind -> Text,
        due_date -> Date,
        swept_on -> Date,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    filing_number_counters (province_code, year) {
        province_code -> Text,
        year -> Int4,
        last_value -> Int4,
    }
}

diesel::table! {
    filings (id) {
        id -> Uuid,
        organisation_id -> Uuid,
        province_code -> Text,
        kind -> Text,
        status -> Text,
        form -> Jsonb,
        previous_filing_id -> Nullable<Uuid>,
        trigger_date -> Nullable<Date>,
        filing_number -> Nullable<Text>,
        return_reasons -> Nullable<Jsonb>,
        refusal_reasons -> Nullable<Jsonb>,
        submitted_at -> Nullable<Timestamptz>,
        first_submitted_at -> Nullable<Timestamptz>,
        decided_at -> Nullable<Timestamptz>,
        decided_by -> Nullable<Uuid>,
        created_by -> Uuid,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        assignee_id -> Nullable<Uuid>,
        risk_level -> Text,
        risk_rank -> Int2,
        risk_flags -> Jsonb,
        review_days_used -> Int4,
        review_due_date -> Nullable<Date>,
        proposed_decision -> Nullable<Jsonb>,
        statutory_due_date -> Nullable<Date>,
        late_by_working_days -> Nullable<Int4>,
        submitted_via -> Text,
    }
}

diesel::table! {
    filing_versions (filing_id, seq) {
        filing_id -> Uuid,
        seq -> Int4,
        form -> Jsonb,
        attachments -> Jsonb,
        submitted_at -> Timestamptz,
        submitted_by -> Uuid,
    }
}

diesel::table! {
    organisations (id) {
        id -> Uuid,
        name -> Text,
        uscc -> Text,
        uscc_checksum_ok -> Bool,
        province_code -> Text,
        province_confirmed -> Bool,
        contact_person -> Text,
        contact_email -> Text,
        contact_phone -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        locale -> Text,
        status -> Text,
    }
}

diesel::table! {
    outbox (id) {
        id -> Uuid,
        channel -> Text,
        dedup_key -> Text,
        template -> Text,
        locale -> Text,
        recipient -> Text,
        subject -> Text,
        body -> Text,
        entity_type -> Nullable<Text>,
        entity_id -> Nullable<Uuid>,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        lease_until -> Nullable<Timestamptz>,
        claimed_by -> Nullable<Text>,
        last_error -> Nullable<Text>,
        outcome -> Nullable<Text>,
        created_at -> Timestamptz,
        sent_at -> Nullable<Timestamptz>,
        redact_after_send -> Bool,
    }
}

diesel::table! {
    regions (code) {
        code -> Text,
        name -> Text,
        name_en -> Text,
        version -> Text,
    }
}

diesel::table! {
    sessions (token_hash) {
        token_hash -> Bytea,
        user_id -> Uuid,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        client_ip -> Nullable<Text>,
        idle_seconds -> Nullable<Int4>,
        last_seen_at -> Timestamptz,
    }
}

diesel::table! {
    sweep_runs (day) {
        day -> Date,
        started_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
        report -> Nullable<Jsonb>,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        email -> Text,
        display_name -> Text,
        password_hash -> Text,
        role -> Text,
        organisation_id -> Nullable<Uuid>,
        agency_id -> Nullable<Uuid>,
        active -> Bool,
        created_at -> Timestamptz,
        locale -> Text,
        zone -> Text,
        address_confirmed -> Bool,
        must_change_password -> Bool,
    }
}

diesel::table! {
    login_throttle (zone, email, source) {
        zone -> Text,
        email -> Text,
        source -> Text,
        failures -> Int4,
        window_started -> Timestamptz,
        blocked_until -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    test_clocks (scope) {
        scope -> Text,
        today -> Date,
        set_at -> Timestamptz,
    }
}

diesel::table! {
    inspection_plans (id) {
        id -> Uuid,
        province_code -> Text,
        title -> Text,
        period_start -> Date,
        period_end -> Date,
        created_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    inspection_draws (id) {
        id -> Uuid,
        plan_id -> Nullable<Uuid>,
        province_code -> Text,
        algorithm -> Text,
        seed -> Text,
        seed_given -> Bool,
        filters -> Jsonb,
        targets_requested -> Int4,
        inspectors_requested -> Int4,
        pool -> Nullable<Array<Uuid>>,
        pool_sha256 -> Nullable<Text>,
        staff_pool -> Nullable<Array<Uuid>>,
        staff_sha256 -> Nullable<Text>,
        target_ids -> Nullable<Array<Uuid>>,
        inspector_ids -> Nullable<Array<Uuid>>,
        drawn_by -> Uuid,
        created_at -> Timestamptz,
        completed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    inspector_conflicts (user_id, organisation_id) {
        user_id -> Uuid,
        organisation_id -> Uuid,
        reason -> Text,
        declared_at -> Timestamptz,
    }
}

diesel::table! {
    inspections (id) {
        id -> Uuid,
        plan_id -> Nullable<Uuid>,
        draw_id -> Nullable<Uuid>,
        province_code -> Text,
        organisation_id -> Uuid,
        source -> Text,
        status -> Text,
        inspector_ids -> Array<Uuid>,
        notice -> Nullable<Text>,
        findings -> Nullable<Jsonb>,
        result -> Nullable<Text>,
        rectified -> Nullable<Bool>,
        notified_at -> Nullable<Timestamptz>,
        closed_at -> Nullable<Timestamptz>,
        created_by -> Uuid,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    inspection_agencies (inspection_id, agency_id) {
        inspection_id -> Uuid,
        agency_id -> Uuid,
        invited_by -> Uuid,
        invited_at -> Timestamptz,
    }
}

diesel::table! {
    inspection_items (id) {
        id -> Uuid,
        inspection_id -> Uuid,
        kind -> Text,
        description -> Text,
        working_days -> Int4,
        status -> Text,
        answer -> Nullable<Text>,
        answered_at -> Nullable<Timestamptz>,
        answered_by -> Nullable<Uuid>,
        created_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    complaint_receipt_counters (province_code, day) {
        province_code -> Text,
        day -> Date,
        last_seq -> Int8,
    }
}

diesel::table! {
    complaints (id) {
        id -> Uuid,
        receipt_number -> Text,
        province_code -> Text,
        channel -> Text,
        status -> Text,
        organisation_id -> Nullable<Uuid>,
        processor_name -> Nullable<Text>,
        processor_uscc -> Nullable<Text>,
        description -> Text,
        occurred_on -> Nullable<Date>,
        location -> Nullable<Text>,
        anonymous -> Bool,
        reply_channel -> Nullable<Text>,
        duplicate_of -> Nullable<Uuid>,
        assignee_id -> Nullable<Uuid>,
        decision_reason -> Nullable<Text>,
        transferred_to -> Nullable<Text>,
        result -> Nullable<Text>,
        inspection_id -> Nullable<Uuid>,
        reply_text -> Nullable<Text>,
        reply_state -> Nullable<Text>,
        reply_seq -> Int4,
        reply_sent_at -> Nullable<Timestamptz>,
        created_by -> Nullable<Uuid>,
        received_at -> Timestamptz,
        updated_at -> Timestamptz,
        closed_at -> Nullable<Timestamptz>,
        version -> Int4,
    }
}

diesel::table! {
    complaint_secrets (complaint_id) {
        complaint_id -> Uuid,
        access_code_hash -> Bytea,
        access_code_alg -> Text,
        contact_sealed -> Nullable<Bytea>,
        contact_key_id -> Nullable<Text>,
        contact_seal_alg -> Nullable<Text>,
        contact_fingerprint -> Nullable<Bytea>,
        contact_fingerprint_alg -> Nullable<Text>,
    }
}

diesel::table! {
    audit_checkpoints (seq) {
        seq -> Int8,
        head_hash -> Bytea,
        hash_alg -> Text,
        signed_at -> Timestamptz,
        key_id -> Text,
        signature -> Bytea,
        notification_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    second_factors (user_id) {
        user_id -> Uuid,
        secret_sealed -> Bytea,
        secret_key_id -> Text,
        secret_seal_alg -> Text,
        confirmed_at -> Nullable<Timestamptz>,
        last_step -> Int8,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    recovery_codes (user_id, code_hash) {
        user_id -> Uuid,
        code_hash -> Bytea,
        hash_alg -> Text,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    login_challenges (token_hash) {
        token_hash -> Bytea,
        user_id -> Uuid,
        browser -> Bool,
        source -> Text,
        expires_at -> Timestamptz,
    }
}

diesel::table! {
    complaint_ratings (complaint_id) {
        complaint_id -> Uuid,
        province_code -> Text,
        rating -> Text,
        comment -> Nullable<Text>,
        rated_at -> Timestamptz,
    }
}

diesel::table! {
    password_resets (token_hash) {
        token_hash -> Bytea,
        user_id -> Uuid,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        purpose -> Text,
    }
}

diesel::table! {
    registration_disputes (id) {
        id -> Uuid,
        organisation_id -> Uuid,
        province_code -> Text,
        uscc -> Text,
        claimant -> Jsonb,
        claimant_password_hash -> Text,
        status -> Text,
        note -> Nullable<Text>,
        created_at -> Timestamptz,
        decided_at -> Nullable<Timestamptz>,
        decided_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    notification_counters (day) {
        day -> Date,
        last_seq -> Int4,
    }
}

diesel::table! {
    notifications (id) {
        id -> Uuid,
        reference -> Text,
        kind -> Text,
        sender_agency_id -> Uuid,
        sender_user_id -> Nullable<Uuid>,
        sender_client -> Nullable<Text>,
        organisation_id -> Nullable<Uuid>,
        processor_name -> Nullable<Text>,
        processor_uscc -> Nullable<Text>,
        title -> Text,
        body -> Text,
        classification -> Text,
        restricted_roles -> Array<Text>,
        ack_required -> Bool,
        ack_working_days -> Nullable<Int4>,
        in_reply_to -> Nullable<Uuid>,
        sent_at -> Timestamptz,
    }
}

diesel::table! {
    notification_recipients (notification_id, agency_id) {
        notification_id -> Uuid,
        agency_id -> Uuid,
        status -> Text,
        acknowledged_at -> Nullable<Timestamptz>,
        acknowledged_by -> Nullable<Uuid>,
        feedback -> Nullable<Text>,
        answered_at -> Nullable<Timestamptz>,
        answered_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    notification_links (notification_id, entity_type, entity_id) {
        notification_id -> Uuid,
        entity_type -> Text,
        entity_id -> Uuid,
    }
}

diesel::table! {
    case_grants (agency_id, entity_type, entity_id, notification_id) {
        agency_id -> Uuid,
        entity_type -> Text,
        entity_id -> Uuid,
        notification_id -> Uuid,
        granted_at -> Timestamptz,
    }
}

diesel::table! {
    /// The exchange feed; its `txid` (xid8) column is read and compared in SQL only.
    exchange_feed (id) {
        id -> Int8,
        stream -> Text,
        agency_id -> Nullable<Uuid>,
        entity_id -> Uuid,
        event -> Text,
        created_at -> Timestamptz,
        epoch -> Int4,
    }
}

diesel::table! {
    exchange_clients (key_id) {
        key_id -> Text,
        agency_id -> Uuid,
        scopes -> Array<Text>,
        secret_sealed -> Bytea,
        secret_key_id -> Text,
        created_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        secret_seal_alg -> Text,
    }
}

diesel::table! {
    exchange_signatures (signature) {
        signature -> Text,
        key_id -> Text,
        seen_at -> Timestamptz,
        expires_at -> Timestamptz,
    }
}

diesel::table! {
    rate_limits (bucket, key) {
        bucket -> Text,
        key -> Text,
        tat -> Timestamptz,
    }
}

diesel::table! {
    import_error_workbooks (id) {
        id -> Uuid,
        user_id -> Uuid,
        kind -> Text,
        blob_key -> Text,
        size_bytes -> Int8,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    materials (id) {
        id -> Uuid,
        entity_type -> Text,
        entity_id -> Uuid,
        item_id -> Nullable<Uuid>,
        filename -> Text,
        content_type -> Text,
        size_bytes -> Int8,
        sha256 -> Text,
        blob_key -> Text,
        uploaded_by -> Nullable<Uuid>,
        uploaded_at -> Timestamptz,
    }
}

diesel::table! {
    idempotent_requests (holder, key) {
        holder -> Text,
        key -> Text,
        request_hash -> Text,
        response_status -> Int4,
        response_body -> Jsonb,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(attachments -> filings (filing_id));
diesel::joinable!(complaints -> organisations (organisation_id));
diesel::joinable!(complaint_secrets -> complaints (complaint_id));
diesel::joinable!(inspections -> organisations (organisation_id));
diesel::joinable!(inspection_items -> inspections (inspection_id));
diesel::joinable!(inspection_agencies -> inspections (inspection_id));
diesel::joinable!(inspection_agencies -> agencies (agency_id));
diesel::joinable!(deadline_alerts -> deadlines (deadline_id));
diesel::joinable!(filing_versions -> filings (filing_id));
diesel::joinable!(filings -> organisations (organisation_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(password_resets -> users (user_id));
diesel::joinable!(registration_disputes -> organisations (organisation_id));
diesel::joinable!(users -> agencies (agency_id));
diesel::joinable!(users -> organisations (organisation_id));
diesel::joinable!(notification_recipients -> notifications (notification_id));
diesel::joinable!(notification_recipients -> agencies (agency_id));
diesel::joinable!(notification_links -> notifications (notification_id));
diesel::joinable!(notifications -> agencies (sender_agency_id));

diesel::allow_tables_to_appear_in_same_query!(
    password_resets,
    registration_disputes,
    complaint_ratings,
    idempotent_requests,
    materials,
    agencies,
    attachments,
    audit_log,
    complaint_receipt_counters,
    complaints,
    complaint_secrets,
    second_factors,
    audit_checkpoints,
    recovery_codes,
    login_challenges,
    calendar_days,
    calendar_versions,
    case_grants,
    deadline_alerts,
    deadlines,
    exchange_clients,
    exchange_feed,
    exchange_signatures,
    filing_number_counters,
    filing_versions,
    filings,
    import_error_workbooks,
    inspection_agencies,
    inspection_draws,
    inspection_items,
    inspection_plans,
    inspections,
    inspector_conflicts,
    login_throttle,
    notification_counters,
    notification_links,
    notification_recipients,
    notifications,
    organisations,
    outbox,
    regions,
    sessions,
    sweep_runs,
    test_clocks,
    users,
);
