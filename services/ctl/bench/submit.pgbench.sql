-- The writes of one submission (portal POST /api/v1/filings/{id}/submit), as the service
-- sends them: the filing's status, the statutory and review deadlines, the audit row (sealed
-- into the chain at commit), the submitted version with its form, the review clock, the risk
-- assessment and the receipt in the outbox. Run by run.sh with -D drafts=<count> on a table
-- bench_drafts(n, id, created_by) of seeded drafts.
\set n random(1, :drafts)
SELECT id AS fid, created_by AS uid FROM bench_drafts WHERE n = :n \gset
BEGIN;
UPDATE filings SET status = 'submitted', trigger_date = current_date - 20, submitted_at = now(),
  first_submitted_at = COALESCE(first_submitted_at, now()), version = version + 1, updated_at = now()
  WHERE id = :fid::uuid;
INSERT INTO deadlines (id, entity_type, entity_id, purpose, start_date, working_days, due_date,
  provisional, calendar_versions, met_on, late_by_working_days)
  VALUES (gen_random_uuid(), 'filing', :fid::uuid, 'statutory', current_date - 20, 30, current_date + 22,
  false, '{CN-2026.1}', current_date, 0)
  ON CONFLICT (entity_type, entity_id, purpose) DO UPDATE SET start_date = EXCLUDED.start_date,
  working_days = EXCLUDED.working_days, due_date = EXCLUDED.due_date, provisional = EXCLUDED.provisional,
  calendar_versions = EXCLUDED.calendar_versions, met_on = EXCLUDED.met_on,
  late_by_working_days = EXCLUDED.late_by_working_days, computed_at = now();
INSERT INTO audit_log (actor_id, actor_label, client_ip, request_id, action, entity_type, entity_id, before, after)
  VALUES (:uid::uuid, 'admin@bench.example (processor/org_admin)', '127.0.0.1', '01a20a00-0000-7000-8000-000000000000',
  'filing.submitted', 'filing', :fid::uuid, '{"status": "draft"}',
  '{"status": "submitted", "due_date": "2026-12-21", "provisional": false, "trigger_date": "2026-11-03", "calendar_versions": ["CN-2026.1"], "late_by_working_days": 0}');
INSERT INTO filing_versions (filing_id, seq, form, attachments, submitted_by)
  SELECT :fid::uuid, COALESCE(max(seq), 0) + 1, (SELECT form FROM filings WHERE id = :fid::uuid),
  '[{"id": "01a20a00-0000-7000-8000-000000000001", "kind": "pipia_report", "sha256": "0000000000000000000000000000000000000000000000000000000000000000", "filename": "pipia_report.pdf"}]',
  :uid::uuid FROM filing_versions WHERE filing_id = :fid::uuid;
INSERT INTO deadlines (id, entity_type, entity_id, purpose, start_date, working_days, due_date,
  provisional, calendar_versions, met_on, late_by_working_days)
  VALUES (gen_random_uuid(), 'filing', :fid::uuid, 'review', current_date, 15, current_date + 21,
  false, '{CN-2026.1}', NULL, NULL)
  ON CONFLICT (entity_type, entity_id, purpose) DO UPDATE SET start_date = EXCLUDED.start_date,
  working_days = EXCLUDED.working_days, due_date = EXCLUDED.due_date, provisional = EXCLUDED.provisional,
  calendar_versions = EXCLUDED.calendar_versions, met_on = EXCLUDED.met_on,
  late_by_working_days = EXCLUDED.late_by_working_days, computed_at = now();
UPDATE filings SET review_days_used = 0, review_due_date = current_date + 21 WHERE id = :fid::uuid;
UPDATE filings SET risk_level = 'low', risk_rank = 1, risk_flags = '[]' WHERE id = :fid::uuid;
INSERT INTO outbox (id, channel, dedup_key, template, locale, recipient, subject, body, entity_type, entity_id)
  VALUES (gen_random_uuid(), 'mail', 'bench:' || gen_random_uuid(), 'filing.submitted', 'zh-CN',
  'admin@bench.example', '【人脸识别技术应用备案】已收到您的首次备案申请',
  '示例科技有限公司：我们已于2026年11月23日收到您的首次备案申请。网信部门将依法审核，审核结果将另行通知。个人信息处理者：示例科技有限公司（统一社会信用代码 91310115MA1H7A5U3X）备案类型：首次备案 备案申请编号：01a20a00-0000-7000-8000-000000000000 此邮件由人脸识别技术应用备案系统自动发送，请勿直接回复。',
  'filing', :fid::uuid) ON CONFLICT (dedup_key) DO NOTHING;
END;
