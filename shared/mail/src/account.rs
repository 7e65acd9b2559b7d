//! Notices about a user's own account.

use crate::templates::{Locale, Message, Rendered, SIGN_OFF_EN, SIGN_OFF_ZH};

/// A notice to the owner of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountNotice {
    /// Many wrong passwords were tried on the account in a short time, from any address.
    LoginFailures {
        email: String,
        failures: i32,
        within_minutes: i64,
    },
    /// A link to set a new password, asked for on the account (it works once, for a while).
    PasswordReset { link: String, minutes: i64 },
    /// The account's password was changed or reset; every other session was ended.
    PasswordChanged { email: String },
}

impl Message for AccountNotice {
    fn template(&self) -> &'static str {
        match self {
            Self::LoginFailures { .. } => "account.login_failures",
            Self::PasswordReset { .. } => "account.password_reset",
            Self::PasswordChanged { .. } => "account.password_changed",
        }
    }

    fn render(&self, locale: Locale) -> Rendered {
        match (self, locale) {
            (Self::PasswordReset { link, minutes }, Locale::ZhCn) => Rendered {
                subject: "【人脸识别技术应用备案】重设密码".into(),
                text: format!(
                    "您好：\n\n有人为您的账户申请了重设密码。如是您本人，请在{minutes}分钟内打开以下链接设置新密码\
                     （链接只能使用一次）：\n\n{link}\n\n如非本人操作，请忽略本邮件，您的密码不会改变。\n{SIGN_OFF_ZH}"
                ),
            },
            (Self::PasswordReset { link, minutes }, Locale::En) => Rendered {
                subject: "[FRT] Reset your password".into(),
                text: format!(
                    "Hello,\n\nSomeone asked to reset the password of your account. If it was you, \
                     open this link within {minutes} minutes to set a new one (it works once):\n\n\
                     {link}\n\nIf it was not you, ignore this mail; your password stays as it is.\n{SIGN_OFF_EN}"
                ),
            },
            (Self::PasswordChanged { email }, Locale::ZhCn) => Rendered {
                subject: "【人脸识别技术应用备案】密码已更改".into(),
                text: format!(
                    "您好：\n\n账户 {email} 的密码已更改，其他设备上的登录已全部退出。如非本人操作，请立即联系管理员。\n{SIGN_OFF_ZH}"
                ),
            },
            (Self::PasswordChanged { email }, Locale::En) => Rendered {
                subject: "[FRT] Your password was changed".into(),
                text: format!(
                    "Hello,\n\nThe password of the account {email} was changed and every other \
                     session was ended. If this was not you, tell your administrator at once.\n{SIGN_OFF_EN}"
                ),
            },
            (
                Self::LoginFailures {
                    email,
                    failures,
                    within_minutes,
                },
                Locale::ZhCn,
            ) => Rendered {
                subject: "【人脸识别技术应用备案】账户登录异常提醒".into(),
                text: format!(
                    "您好：\n\n您的账户 {email} 在{within_minutes}分钟内有{failures}次密码错误的登录尝试。\
                     如非本人操作，请联系管理员并及时修改密码。来源地址的尝试已被暂时限制。\n{SIGN_OFF_ZH}"
                ),
            },
            (
                Self::LoginFailures {
                    email,
                    failures,
                    within_minutes,
                },
                Locale::En,
            ) => Rendered {
                subject: "[FRT] Unusual login attempts on your account".into(),
                text: format!(
                    "Hello,\n\nThere were {failures} login attempts with a wrong password on your \
                     account {email} within {within_minutes} minutes. If this was not you, tell \
                     your administrator and change your password. Further attempts from those \
                     addresses are held back for a while.\n{SIGN_OFF_EN}"
                ),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_alert_names_the_account_in_both_languages() {
        let n = AccountNotice::LoginFailures {
            email: "a@b.cn".into(),
            failures: 20,
            within_minutes: 15,
        };
        for l in Locale::ALL {
            let r = n.render(l);
            assert!(r.text.contains("a@b.cn") && r.text.contains("20"), "{r:?}");
        }
        assert_eq!(n.template(), "account.login_failures");
    }

    #[test]
    fn the_reset_mail_carries_its_link_and_how_long_it_works() {
        let n = AccountNotice::PasswordReset {
            link: "https://portal.example/password-reset/frt_abc".into(),
            minutes: 30,
        };
        for l in Locale::ALL {
            let r = n.render(l);
            assert!(
                r.text.contains("/password-reset/frt_abc") && r.text.contains("30"),
                "{r:?}"
            );
        }
    }
}
