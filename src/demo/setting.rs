//! The demo staff and service tree every synthetic case is handled by and about.

use crate::clock::Clock;
use crate::db::services::NewService;
use crate::db::{Db, DbConnection, services as service_rows, users as user_rows};
use crate::domain::role::Role;
use crate::domain::service::ServiceKind;
use crate::error::{AppError, AppResult};
use crate::services::users::{NewAccount, create_account};

use super::{DEMO_PASSWORD, SeedReport};

/// Demo staff and the service tree; reuses them when present.
pub(super) struct Setting {
    pub managers: Vec<String>,
    pub investigators: Vec<String>,
    pub wards: Vec<String>,
}

pub(super) async fn ensure_setting(
    db: &Db,
    clock: &Clock,
    report: &mut SeedReport,
) -> AppResult<Setting> {
    let (managers, investigators) = staff(db, clock, report).await?;
    let leads = investigators.clone();
    let clock = clock.clone();
    let (wards, created) = db
        .write(move |c| -> AppResult<(Vec<String>, usize)> {
            let existing = service_rows::all(c)?;
            let demo_wards: Vec<String> = existing
                .iter()
                .filter(|s| s.code.starts_with("DEMO-W") && s.active)
                .map(|s| s.id.clone())
                .collect();
            if !demo_wards.is_empty() {
                return Ok((demo_wards, 0));
            }
            service_tree(c, &leads, clock.now())
        })
        .await?;
    report.services_created = created;
    Ok(Setting {
        managers,
        investigators,
        wards,
    })
}

/// The demo accounts, created when missing; returns the managers' and investigators' ids.
async fn staff(
    db: &Db,
    clock: &Clock,
    report: &mut SeedReport,
) -> AppResult<(Vec<String>, Vec<String>)> {
    let wanted = [
        (Role::ComplaintsManager, 4),
        (Role::PalsOfficer, 6),
        (Role::Investigator, 12),
        (Role::Board, 2),
    ];
    let mut managers = Vec::new();
    let mut investigators = Vec::new();
    for (role, n) in wanted {
        for i in 1..=n {
            let email = format!(
                "demo.{}.{i}@candour.invalid",
                role.as_str().replace('_', "-")
            );
            let existing = {
                let e = email.clone();
                db.read(move |c| user_rows::find_by_email_with_hash(c, &e).map_err(AppError::from))
                    .await?
            };
            let id = match existing {
                Some((u, _)) => u.id,
                None => {
                    let account = NewAccount {
                        email,
                        name: format!("Demo {} {i}", role.as_str().replace('_', " ")),
                        role,
                        password: Some(DEMO_PASSWORD.into()),
                    };
                    let (u, _) = create_account(db, clock, account).await?;
                    report.staff_created += 1;
                    u.id
                }
            };
            match role {
                Role::ComplaintsManager => managers.push(id),
                Role::Investigator => investigators.push(id),
                _ => {}
            }
        }
    }
    Ok((managers, investigators))
}

/// One service to add to the demo tree.
struct Unit<'a> {
    parent: Option<&'a str>,
    kind: ServiceKind,
    code: String,
    name: String,
    area: Option<&'a str>,
    lead: Option<&'a str>,
}

/// Two sites of three directorates of four wards each; wards are led by investigators in
/// turn. Returns the wards' ids and how many services were created.
fn service_tree(
    c: &mut DbConnection,
    leads: &[String],
    now: chrono::NaiveDateTime,
) -> AppResult<(Vec<String>, usize)> {
    let areas = [
        "acute_inpatient",
        "acute_outpatient",
        "accident_emergency",
        "maternity",
        "community_health",
    ];
    let mut created = 0;
    let mut wards = Vec::new();
    for site in 1..=2 {
        let site_id = add(
            c,
            &Unit {
                parent: None,
                kind: ServiceKind::Site,
                code: format!("DEMO-S{site}"),
                name: format!("Demo Site {site}"),
                area: None,
                lead: None,
            },
            now,
        )?;
        created += 1;
        for dir in 1..=3 {
            let dir_id = add(
                c,
                &Unit {
                    parent: Some(&site_id),
                    kind: ServiceKind::Directorate,
                    code: format!("DEMO-D{site}{dir}"),
                    name: format!("Demo Directorate {site}.{dir}"),
                    area: None,
                    lead: None,
                },
                now,
            )?;
            created += 1;
            for ward in 1..=4 {
                let ward_id = add(
                    c,
                    &Unit {
                        parent: Some(&dir_id),
                        kind: ServiceKind::WardTeam,
                        code: format!("DEMO-W{site}{dir}{ward}"),
                        name: format!("Demo Ward {site}.{dir}.{ward}"),
                        area: Some(areas[(dir + ward) % areas.len()]),
                        lead: leads
                            .get(wards.len() % leads.len().max(1))
                            .map(String::as_str),
                    },
                    now,
                )?;
                created += 1;
                wards.push(ward_id);
            }
        }
    }
    Ok((wards, created))
}

/// Insert one service; returns its id.
fn add(c: &mut DbConnection, unit: &Unit<'_>, now: chrono::NaiveDateTime) -> AppResult<String> {
    let id = crate::db::ids::new_id();
    service_rows::insert(
        c,
        &NewService {
            id: &id,
            parent_id: unit.parent,
            kind: unit.kind,
            code: &unit.code,
            name: &unit.name,
            service_area: unit.area,
            lead_user_id: unit.lead,
            active: true,
            now,
        },
    )?;
    Ok(id)
}
