//! The whole storage contract in one trait object: `storage/` implements each
//! part for SQLite and PostgreSQL, the API holds an `Arc<dyn Repository>`.

use async_trait::async_trait;

use super::RepoError;
use super::attributes::AttributeRepo;
use super::audit::AuditRepo;
use super::calls::CallRecordRepo;
use super::campaigns::{CampaignLeadRepo, CampaignRepo};
use super::classifier::ClassifierRepo;
use super::clients::ClientRepo;
use super::import::ImportRepo;
use super::interactions::InteractionRepo;
use super::queues::QueueRepo;
use super::reports::ReportRepo;
use super::segments::SegmentRepo;
use super::sip_accounts::SipAccountRepo;
use super::tasks::TaskRepo;
use super::users::UserRepo;

#[async_trait]
pub trait Repository:
    UserRepo
    + ClientRepo
    + ClassifierRepo
    + AttributeRepo
    + InteractionRepo
    + TaskRepo
    + AuditRepo
    + ImportRepo
    + SipAccountRepo
    + CallRecordRepo
    + ReportRepo
    + QueueRepo
    + CampaignRepo
    + CampaignLeadRepo
    + SegmentRepo
{
    /// `sqlite` or `postgres`, for logs and `/readyz`.
    fn backend(&self) -> &'static str;
    /// A cheap round trip to the database, for `/readyz`.
    async fn ping(&self) -> Result<(), RepoError>;
}
