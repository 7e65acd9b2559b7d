//! Mail of the FRT supervision platform: the notices the platform sends, written in Chinese
//! (zh-CN) with an English variant (`templates`), and the transport that delivers them over
//! SMTP, into files or to the log, as configuration chooses (`transport`). Nothing here is
//! sent from a request: use cases write rendered notices to the outbox and the worker sends.

pub mod account;
pub mod complaint;
pub mod inspection;
pub mod notification;
pub mod settings;
pub mod templates;
pub mod transport;

pub use account::AccountNotice;
pub use complaint::{ComplaintNotice, TimedStep};
pub use inspection::{InspectionNotice, InspectionRef};
pub use notification::NotificationNotice;
pub use settings::MailSettings;
pub use templates::{FilingNotice, Locale, Message, Rendered};
pub use transport::{Mailer, Outgoing, SendError};
