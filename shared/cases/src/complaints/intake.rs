//! Intake (登记): a complaint from the public in the portal, or entered by staff from a phone
//! call, a letter, a visit or a transfer. Every problem with the input is listed at once. The
//! complaint is matched to a registered processor where possible, routed to the province
//! where the processor is located, linked to an earlier one from the same contact about the
//! same processor (合并), and given a receipt number and an access code shown once.

use super::{invalid, seal, tell_complainant, ComplaintError, Contact, ACCEPTANCE, REPLY};
use crate::caller::Caller;
use crate::context::Core;
use crate::input::Problems;
use crate::today_in_china;
use chrono::NaiveDate;
use frt_access::{Action, Resource};
use frt_domain::complaint::{self as rules, ComplaintChannel, ComplaintStatus, ReplyChannel};
use frt_domain::contact::{Email, Phone};
use frt_domain::form::FieldProblem;
use frt_domain::ids::Uscc;
use frt_domain::region::ProvinceCode;
use frt_mail::ComplaintNotice;
use frt_store::audit::{self, Actor};
use frt_store::complaints::{self as store, NewComplaint};
use frt_store::{deadlines, identities, AsyncPgConnection, ScopedFutureExt};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

/// The processor complained about, as the complainant knows it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcessorGiven {
    /// Its unified social credit code, if known.
    #[schema(max_length = 18)]
    pub uscc: Option<String>,
    /// Its name, if the USCC is not known.
    #[schema(max_length = 200)]
    pub name: Option<String>,
}

/// How to reply to the complainant.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyGiven {
    /// mail or post.
    #[schema(pattern = "^(mail|post)$")]
    pub channel: String,
    /// Required for a reply by mail.
    #[schema(max_length = 254)]
    pub email: Option<String>,
    /// Required for a reply by post.
    #[schema(max_length = 500)]
    pub postal_address: Option<String>,
    #[schema(max_length = 100)]
    pub name: Option<String>,
    #[schema(max_length = 40)]
    pub phone: Option<String>,
    /// The language of the mail the complainant receives: zh-CN (the default) or en.
    #[schema(pattern = "^(zh-CN|en)$")]
    pub language: Option<String>,
}

/// A complaint or report as filed.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintInput {
    #[serde(default)]
    pub processor: ProcessorGiven,
    /// The province where the processor is located (GB/T 2260), when it is not a registered
    /// processor; a registered one's own province is used otherwise.
    #[schema(pattern = "^[0-9]{2}0000$")]
    pub province: Option<String>,
    /// What happened.
    #[schema(min_length = 1, max_length = 5000, pattern = "[^\\s\\u0085]|\\uFEFF")]
    pub description: String,
    /// When it happened (YYYY-MM-DD), not after today.
    #[schema(value_type = Option<String>, format = Date)]
    pub occurred_on: Option<String>,
    /// Where it happened.
    #[schema(max_length = 500)]
    pub location: Option<String>,
    /// An anonymous report: no contact is kept and no reply can be sent.
    #[serde(default)]
    pub anonymous: bool,
    /// How to reply; required unless anonymous.
    pub reply: Option<ReplyGiven>,
}

/// What the complainant keeps.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Receipt {
    pub id: Uuid,
    /// e.g. TS-310000-20261202-0001.
    pub receipt_number: String,
    /// Shown once: with the receipt number it lets the complainant follow the complaint
    /// online. Only its hash is kept.
    pub access_code: String,
    pub status: String,
    /// Whether a reply will be sent (not for an anonymous report).
    pub reply_expected: bool,
    pub notice: String,
}

/// The input, checked: every problem at once.
struct Checked {
    uscc: Option<String>,
    name: Option<String>,
    province: Option<String>,
    description: String,
    occurred_on: Option<NaiveDate>,
    location: Option<String>,
    anonymous: bool,
    reply_channel: Option<ReplyChannel>,
    contact: Option<Contact>,
}

fn check(input: &ComplaintInput, today: NaiveDate) -> Result<Checked, Vec<FieldProblem>> {
    let mut problems = Problems::new();
    let description = input.description.trim();
    if description.is_empty() {
        problems.required("description", "say what happened, where and when");
    } else {
        problems.text("description", description, 5000);
    }
    let processor = &input.processor;
    let uscc = problems
        .parsed("processor.uscc", processor.uscc.as_deref(), 18, Uscc::parse)
        .map(|code| code.as_str().to_owned());
    let name = problems.optional("processor.name", processor.name.as_deref(), 200);
    if uscc.is_none() && name.is_none() && !problems.at("processor.") {
        problems.required(
            "processor",
            "name the processor complained about: its name or its USCC",
        );
    }
    let province = problems
        .parsed(
            "province",
            input.province.as_deref(),
            32,
            ProvinceCode::parse,
        )
        .map(|code| code.as_str().to_owned());
    let occurred_on = problems
        .parsed(
            "occurred_on",
            input.occurred_on.as_deref(),
            32,
            frt_domain::civil::parse,
        )
        .filter(|day| {
            let past = *day <= today;
            if !past {
                problems.invalid("occurred_on", "a day not after today");
            }
            past
        });
    let location = problems.optional("location", input.location.as_deref(), 500);
    let (reply_channel, contact) = match (input.anonymous, &input.reply) {
        (true, Some(_)) => {
            problems.invalid(
                "reply",
                "an anonymous report gets no reply: leave out how to reply, or do not report anonymously",
            );
            (None, None)
        }
        (true, None) => (None, None),
        (false, None) => {
            problems.required(
                "reply",
                "say how to reply (mail or post), or report anonymously: then no reply can be sent",
            );
            (None, None)
        }
        (false, Some(r)) => {
            let channel = r.channel.trim().parse::<ReplyChannel>().ok();
            if channel.is_none() {
                problems.invalid("reply.channel", "mail or post");
            }
            let email = problems
                .parsed("reply.email", r.email.as_deref(), 254, Email::parse)
                .map(Email::into_string);
            let phone = problems
                .parsed("reply.phone", r.phone.as_deref(), 40, Phone::parse)
                .map(Phone::into_string);
            let postal_address =
                problems.optional("reply.postal_address", r.postal_address.as_deref(), 500);
            let contact_name = problems.optional("reply.name", r.name.as_deref(), 100);
            let language = problems
                .parsed("reply.language", r.language.as_deref(), 32, |l| {
                    l.parse::<frt_mail::Locale>()
                })
                .map(|l| l.as_str().to_owned());
            match channel {
                Some(ReplyChannel::Mail) if email.is_none() => {
                    problems.required("reply.email", "a mail address to send the reply to");
                }
                Some(ReplyChannel::Post) if postal_address.is_none() => {
                    problems.required(
                        "reply.postal_address",
                        "a postal address to send the reply to",
                    );
                }
                _ => {}
            }
            (
                channel,
                Some(Contact {
                    name: contact_name,
                    email,
                    phone,
                    postal_address,
                    language,
                }),
            )
        }
    };
    problems.finish(Checked {
        uscc,
        name,
        province,
        description: description.to_owned(),
        occurred_on,
        location,
        anonymous: input.anonymous,
        reply_channel,
        contact,
    })
}

/// A complaint filed by the public in the portal (API or page) from `source`, the client's
/// address, which `complaints.intake_per_hour` holds back.
pub async fn file_public(
    core: &Core,
    actor: &Actor,
    input: &ComplaintInput,
    source: &str,
) -> Result<Receipt, ComplaintError> {
    crate::limits::take(core, crate::limits::Limit::ComplaintIntake, source).await?;
    file_online(core, actor, input).await
}

/// A complaint filed online, with no limit on its source (the demo's data).
pub async fn file_online(
    core: &Core,
    actor: &Actor,
    input: &ComplaintInput,
) -> Result<Receipt, ComplaintError> {
    register(core, actor, input, ComplaintChannel::Online, None).await
}

/// A complaint staff enter from a phone call, a letter, a visit or a transfer.
pub async fn enter(
    core: &Core,
    caller: &Caller,
    input: &ComplaintInput,
    channel: &str,
) -> Result<Receipt, ComplaintError> {
    caller.require(core, Resource::COMPLAINT, Action::Handle, None)?;
    let channel = channel
        .parse::<ComplaintChannel>()
        .ok()
        .filter(|c| *c != ComplaintChannel::Online)
        .ok_or_else(|| invalid("channel", "phone, letter, visit or transfer"))?;
    register(
        core,
        &caller.actor,
        input,
        channel,
        Some(caller.principal.user_id),
    )
    .await
}

/// A new access code from the operating system's CSPRNG.
fn new_access_code() -> String {
    loop {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        if let Some(code) = rules::access_code(bytes) {
            return code;
        }
    }
}

async fn register(
    core: &Core,
    actor: &Actor,
    input: &ComplaintInput,
    channel: ComplaintChannel,
    created_by: Option<Uuid>,
) -> Result<Receipt, ComplaintError> {
    let today = today_in_china();
    let checked = check(input, today).map_err(ComplaintError::Invalid)?;
    core.db
        .tx(|conn| {
            register_in(conn, core, actor, checked, channel, created_by, today).scope_boxed()
        })
        .await
}

/// A complaint staff enter (as `enter`), inside the caller's transaction: one row of an
/// imported hotline or letter log. The caller has checked the staff member may handle
/// complaints. A refusal (`ComplaintError::Invalid`) writes nothing, so the transaction can
/// go on to the next row.
pub async fn enter_in(
    conn: &mut AsyncPgConnection,
    core: &Core,
    caller: &Caller,
    input: &ComplaintInput,
    channel: ComplaintChannel,
    today: NaiveDate,
) -> Result<Receipt, ComplaintError> {
    let checked = check(input, today).map_err(ComplaintError::Invalid)?;
    register_in(
        conn,
        core,
        &caller.actor,
        checked,
        channel,
        Some(caller.principal.user_id),
        today,
    )
    .await
}

async fn register_in(
    conn: &mut AsyncPgConnection,
    core: &Core,
    actor: &Actor,
    checked: Checked,
    channel: ComplaintChannel,
    created_by: Option<Uuid>,
    today: NaiveDate,
) -> Result<Receipt, ComplaintError> {
    let code = new_access_code();
    let key = &core.data_key;
    let settings = &core.settings;
    let calendars = &core.calendars;
    let org = match (&checked.uscc, &checked.name) {
        (Some(u), _) => identities::organisation_by_uscc(conn, u).await?,
        (None, Some(n)) => identities::organisation_by_name(conn, n).await?,
        (None, None) => None,
    };
    let province = match (&org, &checked.province) {
        (Some(o), _) => o.province_code.clone(),
        (None, Some(p)) if identities::region_exists(conn, p).await? => p.clone(),
        (None, Some(_)) => return Err(invalid("province", "no such province in the table").into()),
        (None, None) => {
            return Err(crate::input::required(
                "province",
                "the processor is not registered here: name the province where it is located",
            )
            .into())
        }
    };
    let id = Uuid::now_v7();
    let identity = checked.contact.as_ref().and_then(Contact::identity);
    let fingerprints = identity.as_deref().map(|i| key.fingerprints(i));
    let fingerprint = fingerprints.as_ref().and_then(|f| f.first());
    let window = chrono::Duration::days(settings.complaints.duplicate_window_days);
    let first = match &fingerprints {
        Some(fps) => {
            store::first_of_repeats(
                conn,
                fps,
                org.as_ref().map(|o| o.id),
                checked.uscc.as_deref(),
                checked.name.as_deref(),
                chrono::Utc::now() - window,
            )
            .await?
        }
        None => None,
    };
    let seq = store::next_receipt_seq(conn, &province, today).await?;
    let receipt_number = rules::receipt_number(&province, today, seq);
    let sealed = match &checked.contact {
        Some(c) => Some(seal(key, id, c)?),
        None => None,
    };
    // A repeat is linked for the staff, who see both; it is a complaint of its own for the one
    // who filed it, who may not be the first one's complainant (nobody checks a contact
    // belongs to who gives it) and is told nothing of the first.
    let status = ComplaintStatus::Received;
    let code_alg = key.suite().hash();
    let digest = super::access_digest(code_alg, &code);
    let c = store::insert(
        conn,
        &NewComplaint {
            id,
            receipt_number: &receipt_number,
            province_code: &province,
            channel: channel.as_str(),
            status: status.as_str(),
            organisation_id: org.as_ref().map(|o| o.id),
            processor_name: checked
                .name
                .as_deref()
                .or(org.as_ref().map(|o| o.name.as_str())),
            processor_uscc: checked
                .uscc
                .as_deref()
                .or(org.as_ref().map(|o| o.uscc.as_str())),
            description: &checked.description,
            occurred_on: checked.occurred_on,
            location: checked.location.as_deref(),
            anonymous: checked.anonymous,
            reply_channel: checked.reply_channel.map(ReplyChannel::as_str),
            duplicate_of: first.as_ref().map(|f| f.id),
            created_by,
        },
        &store::Secrets {
            complaint_id: id,
            access_code_hash: digest,
            access_code_alg: code_alg.name().to_owned(),
            contact_key_id: sealed.as_ref().map(|_| key.id().to_owned()),
            contact_seal_alg: sealed.as_ref().map(|_| key.seal_alg().to_owned()),
            contact_sealed: sealed,
            contact_fingerprint_alg: fingerprint.map(|_| key.fingerprint_alg().to_owned()),
            contact_fingerprint: fingerprint.cloned(),
        },
    )
    .await?;
    audit::record(
        conn,
        actor,
        "complaint.received",
        store::ENTITY,
        &id.to_string(),
        None,
        Some(json!({
            "receipt_number": receipt_number, "channel": channel.as_str(),
            "province": province, "organisation_id": c.organisation_id,
            "anonymous": c.anonymous, "status": status.as_str(),
            "duplicate_of": c.duplicate_of,
        })),
    )
    .await?;
    if let Some(f) = &first {
        audit::record(
            conn,
            actor,
            "complaint.repeat_linked",
            store::ENTITY,
            &f.id.to_string(),
            None,
            Some(json!({ "repeat": receipt_number })),
        )
        .await?;
    }
    set_deadlines(conn, calendars, settings, id, today).await?;
    let name = checked.contact.as_ref().and_then(|k| k.name.clone());
    tell_complainant(
        conn,
        &c,
        checked.contact.as_ref(),
        &ComplaintNotice::Received {
            receipt_number: receipt_number.clone(),
            name,
        },
        format!("complaint:{id}:received"),
    )
    .await?;
    let notice = if c.anonymous {
        "Registered. An anonymous report gets no reply; follow it online with the receipt number and access code."
    } else {
        "Registered. Keep the receipt number and access code: they let you follow the complaint online. You will be told the result."
    }
    .to_owned();
    Ok(Receipt {
        id,
        receipt_number,
        access_code: code,
        status: status.as_str().to_owned(),
        reply_expected: !c.anonymous,
        notice,
    })
}

/// The time limits from the day of receipt: to decide acceptance, and to reply.
pub(crate) async fn set_deadlines(
    conn: &mut AsyncPgConnection,
    calendars: &frt_store::calendars::CalendarCache,
    settings: &frt_settings::Settings,
    id: Uuid,
    from: NaiveDate,
) -> Result<(), ComplaintError> {
    let calendar = calendars.get(conn).await?;
    let c = &settings.complaints;
    for (purpose, days) in [
        (ACCEPTANCE, c.acceptance_working_days),
        (REPLY, c.reply_working_days),
    ] {
        let n = frt_domain::calendar::WorkingDays::new(days)
            .map_err(|e| anyhow::anyhow!("complaints time limit: {e}"))?;
        deadlines::set(conn, &calendar, store::ENTITY, id, purpose, from, n, None).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 2).expect("day")
    }

    fn paths(input: &ComplaintInput) -> Vec<String> {
        match check(input, day()) {
            Ok(_) => Vec::new(),
            Err(p) => p.into_iter().map(|p| p.path).collect(),
        }
    }

    fn input() -> ComplaintInput {
        ComplaintInput {
            processor: ProcessorGiven {
                uscc: None,
                name: Some("某商场".into()),
            },
            province: Some("310000".into()),
            description: "商场入口摄像头采集人脸，未设提示标识。".into(),
            occurred_on: Some("2026-11-30".into()),
            location: Some("上海市某商场".into()),
            anonymous: false,
            reply: Some(ReplyGiven {
                channel: "mail".into(),
                email: Some("a@b.cn".into()),
                postal_address: None,
                name: Some("张三".into()),
                phone: None,
                language: None,
            }),
        }
    }

    #[test]
    fn a_good_complaint_passes() {
        assert!(paths(&input()).is_empty());
        let anonymous = ComplaintInput {
            anonymous: true,
            reply: None,
            ..input()
        };
        assert!(paths(&anonymous).is_empty());
    }

    #[test]
    fn every_problem_is_listed_at_once() {
        let bad = ComplaintInput {
            processor: ProcessorGiven::default(),
            province: Some("31".into()),
            description: "  ".into(),
            occurred_on: Some("2026-12-03".into()),
            location: Some("x".repeat(501)),
            anonymous: false,
            reply: Some(ReplyGiven {
                channel: "mail".into(),
                email: Some("not-an-address".into()),
                postal_address: None,
                name: None,
                phone: Some("12".into()),
                language: Some("fr".into()),
            }),
        };
        let p = paths(&bad);
        for want in [
            "description",
            "processor",
            "province",
            "occurred_on",
            "location",
            "reply.email",
            "reply.phone",
            "reply.language",
        ] {
            assert!(p.iter().any(|x| x == want), "{want} missing from {p:?}");
        }
    }

    #[test]
    fn a_reply_needs_its_address_and_an_anonymous_report_none() {
        let mut post = input();
        post.reply = Some(ReplyGiven {
            channel: "post".into(),
            email: None,
            postal_address: None,
            name: None,
            phone: None,
            language: None,
        });
        assert_eq!(paths(&post), ["reply.postal_address"]);
        let mut both = input();
        both.anonymous = true;
        assert_eq!(paths(&both), ["reply"]);
        let mut neither = input();
        neither.reply = None;
        assert_eq!(paths(&neither), ["reply"]);
    }
}
