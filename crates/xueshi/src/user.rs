//! `xueshi user …`: accounts from the command line.

use anyhow::Result;
use xueshi_app::accounts;

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
        } => {
            let password = generated_password();
            accounts::create(
                &app,
                &ctx,
                accounts::NewAccountInput {
                    display_name: name.unwrap_or_else(|| username.clone()),
                    username: username.clone(),
                    password: password.clone(),
                    role: role.role().as_str().into(),
                    scope_code: scope,
                    can_unmask: unmask,
                    ..Default::default()
                },
            )
            .await
            .explained()?;
            println!("created {username} with password {password}");
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
