//! The two real servers behind one small interface: a fresh database per migration set,
//! one statement at a time, and the schema read back from the catalogs.

use super::catalog::{self, Snapshot};

pub trait Server {
    /// Human name with version, for the printed figures.
    fn name(&self) -> String;
    /// Drops and re-creates database `db` and makes it the current one. The database made
    /// before (another name) is dropped first: a run creates hundreds, and keeping them
    /// all filled a CI machine's disk (each PostgreSQL database copies its template).
    fn fresh(&mut self, db: &str) -> Result<(), String>;
    /// Runs one statement as written in the migration file.
    fn exec(&mut self, sql: &str) -> Result<(), String>;
    /// Leaves a failed transaction, if one is open, so the catalogs can be read.
    fn recover(&mut self);
    fn snapshot(&mut self) -> Result<Snapshot, String>;
}

pub struct Postgres {
    config: postgres::Config,
    client: postgres::Client,
    /// The database `client` is connected to, when `fresh` made it.
    db: Option<String>,
    version: String,
}

impl Postgres {
    pub fn connect(url: &str) -> Result<Postgres, String> {
        let config: postgres::Config = url.parse().map_err(|e| format!("{url}: {e}"))?;
        let mut client = config
            .connect(postgres::NoTls)
            .map_err(|e| format!("{url}: {e}"))?;
        let version = client
            .query_one("SHOW server_version", &[])
            .map(|r| r.get::<_, String>(0))
            .map_err(|e| e.to_string())?;
        Ok(Postgres {
            config,
            client,
            db: None,
            version,
        })
    }
}

fn pg_error(e: postgres::Error) -> String {
    match e.as_db_error() {
        Some(d) => format!("{} ({})", d.message(), d.code().code()),
        None => e.to_string(),
    }
}

impl Server for Postgres {
    fn name(&self) -> String {
        format!("PostgreSQL {}", self.version)
    }

    fn fresh(&mut self, db: &str) -> Result<(), String> {
        let mut admin = self.config.clone();
        admin.dbname("postgres");
        let mut a = admin.connect(postgres::NoTls).map_err(pg_error)?;
        // One statement per call: DROP/CREATE DATABASE refuse an implicit transaction.
        // WITH (FORCE) ends `client`'s session on the previous database.
        let previous = self.db.take();
        for old in previous.iter().map(String::as_str).chain([db]) {
            a.batch_execute(&format!("DROP DATABASE IF EXISTS \"{old}\" WITH (FORCE)"))
                .map_err(pg_error)?;
        }
        a.batch_execute(&format!("CREATE DATABASE \"{db}\""))
            .map_err(pg_error)?;
        let mut c = self.config.clone();
        c.dbname(db);
        self.client = c.connect(postgres::NoTls).map_err(pg_error)?;
        self.db = Some(db.to_string());
        // A statement that waits on a lock would stall the suite: fail it instead.
        self.client
            .batch_execute("SET statement_timeout = '60s'; SET lock_timeout = '10s'")
            .map_err(pg_error)
    }

    fn exec(&mut self, sql: &str) -> Result<(), String> {
        self.client.batch_execute(sql).map_err(pg_error)
    }

    fn recover(&mut self) {
        let _ = self.client.batch_execute("ROLLBACK");
    }

    fn snapshot(&mut self) -> Result<Snapshot, String> {
        catalog::read_postgres(&mut self.client).map_err(pg_error)
    }
}

pub struct Mariadb {
    conn: mysql::Conn,
    db: String,
    version: String,
}

impl Mariadb {
    pub fn connect(url: &str) -> Result<Mariadb, String> {
        use mysql::prelude::Queryable;
        let opts = mysql::Opts::from_url(url).map_err(|e| format!("{url}: {e}"))?;
        let mut conn = mysql::Conn::new(opts).map_err(|e| format!("{url}: {e}"))?;
        let version: Option<String> = conn
            .query_first("SELECT VERSION()")
            .map_err(|e| e.to_string())?;
        Ok(Mariadb {
            conn,
            db: String::new(),
            version: version.unwrap_or_default(),
        })
    }
}

impl Server for Mariadb {
    fn name(&self) -> String {
        format!("MariaDB {}", self.version)
    }

    fn fresh(&mut self, db: &str) -> Result<(), String> {
        use mysql::prelude::Queryable;
        if !self.db.is_empty() && self.db != db {
            let old = std::mem::take(&mut self.db);
            self.conn
                .query_drop(format!("DROP DATABASE IF EXISTS `{old}`"))
                .map_err(|e| e.to_string())?;
        }
        self.conn
            .query_drop(format!(
                "DROP DATABASE IF EXISTS `{db}`; CREATE DATABASE `{db}`; USE `{db}`; SET SESSION lock_wait_timeout = 10"
            ))
            .map_err(|e| e.to_string())?;
        self.db = db.to_string();
        Ok(())
    }

    fn exec(&mut self, sql: &str) -> Result<(), String> {
        use mysql::prelude::Queryable;
        self.conn.query_drop(sql).map_err(|e| e.to_string())
    }

    fn recover(&mut self) {
        use mysql::prelude::Queryable;
        let _ = self.conn.query_drop("ROLLBACK");
    }

    fn snapshot(&mut self) -> Result<Snapshot, String> {
        catalog::read_mysql(&mut self.conn, &self.db).map_err(|e| e.to_string())
    }
}
