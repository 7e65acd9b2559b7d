//! Notices about a notification between agencies (通报) to the staff of the agencies concerned:
//! one arrived, its acknowledgement is due soon, its acknowledgement is overdue, a recipient
//! answered. They name the reference and, unless the notification is restricted, its title;
//! its text stays in the platform.

use crate::templates::{Locale, Message, Rendered, SIGN_OFF_EN, SIGN_OFF_ZH};
use chrono::{Datelike, NaiveDate};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotificationNotice {
    /// To a recipient agency's staff: a notification arrived.
    Received {
        reference: String,
        /// The kind in Chinese (e.g. 案件移送).
        kind_zh: String,
        from: String,
        /// None for a restricted notification.
        title: Option<String>,
        ack_due: Option<NaiveDate>,
    },
    /// To a recipient agency's staff: acknowledgement is due soon.
    AckDue {
        reference: String,
        due: NaiveDate,
        working_days_left: i64,
    },
    /// To the sender's and the recipient's supervisors: acknowledgement is overdue (督办).
    AckOverdue {
        reference: String,
        recipient: String,
        due: NaiveDate,
    },
    /// To the sender's staff: a recipient acknowledged or answered.
    Answered {
        reference: String,
        recipient: String,
        feedback: bool,
    },
}

fn zh_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

impl Message for NotificationNotice {
    fn template(&self) -> &'static str {
        match self {
            Self::Received { .. } => "notification.received",
            Self::AckDue { .. } => "notification.ack_due",
            Self::AckOverdue { .. } => "notification.ack_overdue",
            Self::Answered { .. } => "notification.answered",
        }
    }

    fn render(&self, locale: Locale) -> Rendered {
        let (subject, body) = match (self, locale) {
            (Self::Received { reference, kind_zh, from, title, ack_due }, Locale::ZhCn) => (
                format!("【通报】{from}：{kind_zh}（{reference}）"),
                format!(
                    "{from}发来{kind_zh}{reference}{}。请登录系统查阅{}。\n",
                    title.as_ref().map(|t| format!("《{t}》")).unwrap_or_default(),
                    ack_due.map(|d| format!("，并于{}前签收", zh_date(d))).unwrap_or_default()
                ),
            ),
            (Self::Received { reference, from, title, ack_due, .. }, Locale::En) => (
                format!("[Notification] {reference} from {from}"),
                format!(
                    "{from} sent notification {reference}{}. Read it in the platform{}.\n",
                    title.as_ref().map(|t| format!(" \"{t}\"")).unwrap_or_default(),
                    ack_due.map(|d| format!(" and acknowledge it by {d}")).unwrap_or_default()
                ),
            ),
            (Self::AckDue { reference, due, working_days_left }, Locale::ZhCn) => (
                format!("【通报】签收提醒：{reference}还剩{working_days_left}个工作日"),
                format!("通报{reference}的签收期限为{}，还剩{working_days_left}个工作日。\n", zh_date(*due)),
            ),
            (Self::AckDue { reference, due, working_days_left }, Locale::En) => (
                format!("[Notification] {reference}: {working_days_left} working day(s) left to acknowledge"),
                format!("Notification {reference} is to be acknowledged by {due}: {working_days_left} working day(s) left.\n"),
            ),
            (Self::AckOverdue { reference, recipient, due }, Locale::ZhCn) => (
                format!("【通报】超期未签收督办：{reference}"),
                format!("通报{reference}应由{recipient}于{}前签收，至今未签收，请督办。\n", zh_date(*due)),
            ),
            (Self::AckOverdue { reference, recipient, due }, Locale::En) => (
                format!("[Notification] Not acknowledged: {reference}"),
                format!("{recipient} was to acknowledge notification {reference} by {due} and has not.\n"),
            ),
            (Self::Answered { reference, recipient, feedback }, Locale::ZhCn) => (
                format!(
                    "【通报】{recipient}已{}：{reference}",
                    if *feedback { "反馈" } else { "签收" }
                ),
                format!(
                    "{recipient}已{}通报{reference}。\n",
                    if *feedback { "反馈" } else { "签收" }
                ),
            ),
            (Self::Answered { reference, recipient, feedback }, Locale::En) => (
                format!(
                    "[Notification] {reference} {} by {recipient}",
                    if *feedback { "answered" } else { "acknowledged" }
                ),
                format!(
                    "{recipient} {} notification {reference}.\n",
                    if *feedback { "answered" } else { "acknowledged" }
                ),
            ),
        };
        let sign = match locale {
            Locale::ZhCn => SIGN_OFF_ZH,
            Locale::En => SIGN_OFF_EN,
        };
        Rendered {
            subject,
            text: format!("{body}\n{sign}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notice_renders_in_both_languages_with_its_reference() {
        let r = "TB-20261202-0001".to_owned();
        let due = NaiveDate::from_ymd_opt(2026, 12, 9).expect("date");
        let all = [
            NotificationNotice::Received {
                reference: r.clone(),
                kind_zh: "案件移送".into(),
                from: "上海市网信办".into(),
                title: Some("某公司违规采集人脸".into()),
                ack_due: Some(due),
            },
            NotificationNotice::Received {
                reference: r.clone(),
                kind_zh: "信息共享".into(),
                from: "上海市网信办".into(),
                title: None,
                ack_due: None,
            },
            NotificationNotice::AckDue {
                reference: r.clone(),
                due,
                working_days_left: 1,
            },
            NotificationNotice::AckOverdue {
                reference: r.clone(),
                recipient: "上海市公安局".into(),
                due,
            },
            NotificationNotice::Answered {
                reference: r.clone(),
                recipient: "上海市公安局".into(),
                feedback: true,
            },
        ];
        for n in &all {
            for l in Locale::ALL {
                let out = n.render(l);
                assert!(out.subject.contains(&r), "{out:?}");
                assert!(!out.subject.contains('\n'));
            }
        }
        let zh = all[0].render(Locale::ZhCn);
        assert!(zh.text.contains("2026年12月9日前签收"), "{}", zh.text);
        assert!(!all[1].render(Locale::ZhCn).text.contains("《"));
    }
}
