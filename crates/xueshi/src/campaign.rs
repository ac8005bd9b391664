//! `xueshi campaign …`: study campaigns from the command line, by the same
//! use-case the office's page calls.

use anyhow::Result;
use xueshi_app::campaigns;

use crate::cli::CampaignAction;
use crate::config::Config;
use crate::explain::Explained;
use crate::{cli_ctx, open};

pub async fn campaign(cfg: &Config, action: CampaignAction) -> Result<()> {
    let app = open(cfg).await?;
    let ctx = cli_ctx(&app, None).await?;
    match action {
        CampaignAction::Start {
            unit,
            name,
            from,
            to,
        } => {
            let u = xueshi_app::tree::by_code(&app, &ctx, &unit)
                .await
                .explained()?;
            let first = match &from {
                Some(d) => xueshi_domain::date::from_iso(d)
                    .ok_or_else(|| anyhow::anyhow!("--from {d} is not a date (YYYY-MM-DD)"))?,
                None => app.clock().today(),
            };
            let mut input = campaigns::template(first);
            input.name = name;
            if let Some(to) = to {
                let last = input.phases.len() - 1;
                input.phases[last].ends_on = to.clone();
                input.ends_on = to;
            }
            let id = campaigns::create(&app, &ctx, u.id, &input)
                .await
                .explained()?;
            println!(
                "started campaign {id} over {} ({} – {}); set it up further at /campaigns/{id}",
                u.name, input.starts_on, input.ends_on
            );
        }
        CampaignAction::List { unit } => {
            let u = xueshi_app::tree::by_code(&app, &ctx, &unit)
                .await
                .explained()?;
            let l = campaigns::of_unit(&app, &ctx, u.id).await.explained()?;
            match l.governing {
                Some(g) => println!(
                    "governing today: {} {} ({} – {})",
                    g.id, g.name, g.starts_on, g.ends_on
                ),
                None => println!("no campaign governs {} today", u.name),
            }
            for c in l.own {
                println!("{:<20} {} – {}  {}", c.id, c.starts_on, c.ends_on, c.name);
            }
        }
    }
    Ok(())
}
