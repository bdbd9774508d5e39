//! Migrations are idempotent: a second run, and a second start on the same database, are harmless.

use candour::config::Environment;
use candour::db::migrations;
use candour::domain::role::Role;
use candour::startup::Application;

use crate::helpers::{PASSWORD, spawn_app};

#[tokio::test]
async fn running_migrations_again_changes_nothing() {
    let app = spawn_app().await;
    let user = app.create_user(Role::Board).await;
    let db = app.state.db.clone();
    let applied = tokio::task::spawn_blocking(move || migrations::run_pending(&db))
        .await
        .unwrap()
        .unwrap();
    assert!(applied.is_empty(), "{applied:?}");

    // A second server on the same database starts, migrates nothing and sees the data.
    let second = Application::build(app.settings.clone(), Environment::Test)
        .await
        .unwrap();
    let address = format!("http://127.0.0.1:{}", second.port());
    tokio::spawn(second.run_until_stopped());
    let res = app
        .client
        .post(format!("{address}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": user.email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[derive(diesel::QueryableByName, Debug)]
struct Column {
    #[diesel(sql_type = diesel::sql_types::Text)]
    tbl: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    col: String,
}

/// The columns an engine's catalogue query names, as `table.column`.
async fn columns(
    app: &crate::helpers::TestApp,
    postgres: &'static str,
    sqlite: &'static str,
) -> Vec<String> {
    use diesel::RunQueryDsl;
    let sql = if app.db.is_postgres() {
        postgres
    } else {
        sqlite
    };
    let found: Vec<Column> = app
        .state
        .db
        .read(move |c| {
            diesel::sql_query(sql)
                .load::<Column>(c)
                .map_err(candour::db::error::DbError::from)
        })
        .await
        .unwrap();
    found
        .iter()
        .map(|c| format!("{}.{}", c.tbl, c.col))
        .collect()
}

/// Every insert writes NULL for a field it leaves empty (`treat_none_as_default_value = false`,
/// so that diesel can keep the statement prepared). That is the same as the column's default
/// only while no nullable column has one: a migration that adds one must change this first.
#[tokio::test]
async fn no_nullable_column_has_a_default() {
    let app = spawn_app().await;
    let with_default = columns(
        &app,
        "SELECT table_name::text AS tbl, column_name::text AS col
         FROM information_schema.columns
         WHERE table_schema = 'public' AND is_nullable = 'YES' AND column_default IS NOT NULL",
        "SELECT m.name AS tbl, p.name AS col
         FROM sqlite_master m, pragma_table_info(m.name) p
         WHERE m.type = 'table' AND p.\"notnull\" = 0 AND p.pk = 0 AND p.dflt_value IS NOT NULL",
    )
    .await;
    assert!(
        with_default.is_empty(),
        "nullable columns with a default: {with_default:?}"
    );
    // The queries do see nullable columns: the cases table has some.
    let nullable = columns(
        &app,
        "SELECT table_name::text AS tbl, column_name::text AS col
         FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name = 'cases' AND is_nullable = 'YES'",
        "SELECT m.name AS tbl, p.name AS col
         FROM sqlite_master m, pragma_table_info(m.name) p
         WHERE m.name = 'cases' AND p.\"notnull\" = 0 AND p.pk = 0",
    )
    .await;
    assert!(
        nullable.contains(&"cases.closed_on".to_string()),
        "{nullable:?}"
    );
}
