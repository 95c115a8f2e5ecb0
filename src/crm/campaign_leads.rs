//! Which lead of a campaign is called next, for an agent who asks (preview)
//! or for the dialler: a lead that may be called now, taken so that nobody
//! else calls it. Leads that may not be called are moved out of the way on
//! the way: closed when the number is on a do-not-call list at this moment
//! or has had its attempts, put back until the calling window opens in the
//! client's time zone (the number's, else the one the client's address
//! names, else the campaign's), or for a minute while someone calls the
//! same number.

use chrono::{DateTime, Utc};

use super::RepoError;
use super::campaigns::{Campaign, CampaignLead, CampaignLeadRepo, LeadNext};
use crate::dialer::leads::Rules;
use crate::ids::UserId;

/// Leads looked at per round, and rounds, before answering "nothing now".
const BATCH: i64 = 20;
const ROUNDS: usize = 5;
/// A lead whose number someone is calling waits this long.
const BUSY_NUMBER_WAIT: chrono::Duration = chrono::Duration::minutes(1);

/// Claims the next lead of `campaign` that may be called at `now` for
/// `agent` (their promised callbacks first), or for the dialler when
/// `None` (no lead promised to an agent), and gives it back as now stored
/// (dialling, one attempt more); `None` when nothing may be called now.
pub async fn next_lead(
    repo: &(impl CampaignLeadRepo + ?Sized),
    campaign: &Campaign,
    agent: Option<UserId>,
    now: DateTime<Utc>,
) -> Result<Option<CampaignLead>, RepoError> {
    let settings = &campaign.settings;
    let rules = Rules::of_campaign(settings);
    // Checked when the settings were stored; UTC should one ever not parse.
    let default_zone = settings
        .time_zone
        .parse::<chrono_tz::Tz>()
        .unwrap_or(chrono_tz::Tz::UTC);
    for _ in 0..ROUNDS {
        let due = repo.due_leads(campaign.id, agent, now, BATCH).await?;
        if due.is_empty() {
            break;
        }
        for lead in due {
            // Each lead that cannot be called now is moved out of the way.
            if repo.is_dnc(campaign.id, &lead.number).await? {
                repo.set_lead_state(lead.id, LeadNext::Closed("dnc"))
                    .await?;
                continue;
            }
            if lead.attempts >= 0 && lead.attempts as u32 >= rules.max_attempts {
                repo.set_lead_state(lead.id, LeadNext::Closed("attempts"))
                    .await?;
                continue;
            }
            let zone = match crate::phone::zones::time_zone_of(&lead.number) {
                Some(zone) => zone,
                None => address_zone(repo, &lead).await?.unwrap_or(default_zone),
            };
            let opens = rules.open_at(now, zone);
            if opens > now {
                let next = LeadNext::Waiting {
                    at: opens,
                    uncount: false,
                };
                repo.set_lead_state(lead.id, next).await?;
                continue;
            }
            if repo.number_in_progress(&lead.number).await? {
                let next = LeadNext::Waiting {
                    at: now + BUSY_NUMBER_WAIT,
                    uncount: false,
                };
                repo.set_lead_state(lead.id, next).await?;
                continue;
            }
            if !repo.claim_lead(lead.id, agent, now).await? {
                continue; // another agent (or the dialler) took it first
            }
            let claimed = repo.campaign_lead(lead.id).await?;
            // Gone between the claim and now: its campaign was deleted.
            return claimed.map(Some).ok_or(RepoError::NotFound);
        }
    }
    Ok(None)
}
/// The zone the lead's client's address names (the first address that
/// names one), for a number that does not tell its zone (a mobile of a
/// country that spans several).
async fn address_zone(
    repo: &(impl CampaignLeadRepo + ?Sized),
    lead: &CampaignLead,
) -> Result<Option<chrono_tz::Tz>, RepoError> {
    let Some(client) = lead.client_id else {
        return Ok(None);
    };
    let addresses = repo.client_addresses(client).await?;
    Ok(addresses
        .iter()
        .find_map(|text| crate::phone::address_zones::time_zone_of_address(text)))
}
