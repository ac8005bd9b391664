//! `xueshi user …`: accounts from the command line.

use anyhow::Result;
use xueshi_app::{accounts, member_accounts};

use crate::cli::UserAction;
use crate::config::Config;
use crate::explain::Explained;
use crate::{account_named, cli_ctx, open};

pub async fn user(cfg: &Config, action: UserAction) -> Result<()> {
    let app = open(cfg).await?;
    let ctx = cli_ctx(&app, None).await?;
    match action {
        UserAction::Add {
            username,
            role,
            scope,
            name,
            unmask,
            member,
        } => {
            let member_id = match member {
                Some(n) => Some(
                    member_accounts::member_by_id_number(&app, &n)
                        .await
                        .explained()?
                        .ok_or_else(|| {
                            anyhow::anyhow!("no member on the roster has ID number {n}")
                        })?,
                ),
                None => None,
            };
            let password = generated_password();
            accounts::create(
                &app,
                &ctx,
                accounts::NewAccountInput {
                    display_name: name.unwrap_or_else(|| username.clone()),
                    username: username.clone(),
                    password: password.clone(),
                    role: role.role().as_str().into(),
                    scope_code: scope.unwrap_or_default(),
                    can_unmask: unmask,
                    member_id,
                    ..Default::default()
                },
            )
            .await
            .explained()?;
            println!("created {username} with password {password}");
        }
        UserAction::Issue { unit, scheme } => {
            let scheme = member_accounts::UsernameScheme::parse(&scheme.replace('-', "_"))
                .ok_or_else(|| anyhow::anyhow!("--scheme is member-code or phone"))?;
            let u = xueshi_app::tree::by_code(&app, &ctx, &unit)
                .await
                .explained()?;
            let issued = member_accounts::issue(&app, &ctx, u.id, scheme)
                .await
                .explained()?;
            println!(
                "made {} accounts under {}; print their login slips at /units/{}/login-slips",
                issued.made, u.name, u.id
            );
            for s in issued.skipped {
                println!("  not made: {} ({})", s.name, s.reason);
            }
        }
        UserAction::Passwd { username } => {
            let a = account_named(&app, &username).await?;
            let password = generated_password();
            accounts::reset_password(&app, &ctx, a.id, password.clone())
                .await
                .explained()?;
            println!("new password for {username}: {password}");
        }
        UserAction::Unlock { username } => {
            let a = account_named(&app, &username).await?;
            accounts::unlock(&app, &ctx, a.id).await.explained()?;
            println!("unlocked {username}");
        }
        UserAction::List => {
            for a in accounts::list(&app, &ctx).await.explained()? {
                let state = if a.disabled {
                    "disabled"
                } else if a.locked_until.is_some_and(|until| until > app.now()) {
                    "locked"
                } else {
                    "active"
                };
                println!(
                    "{:<16} {:<16} {:<8} {}",
                    a.username,
                    a.role.as_str(),
                    state,
                    a.scope_name
                );
            }
        }
    }
    Ok(())
}

/// A password of 14 letters and digits, none easily mistaken for another.
pub fn generated_password() -> String {
    use rand::Rng;
    const CHARS: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..14)
        .map(|_| CHARS[rng.random_range(0..CHARS.len())] as char)
        .collect()
}
