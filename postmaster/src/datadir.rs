//! The data directory: created and initialized on first start (there is no
//! separate initdb step), checked on later starts.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Marks a directory as a pgfork data directory and records its format.
const VERSION_FILE: &str = "PGFORK_VERSION";
/// 2: MVCC heap tuple headers (xmin, xmax, cmin, cmax) and pg_xact.
const FORMAT_VERSION: &str = "3";

#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    #[error("could not create data directory \"{path}\": {source}")]
    Create {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "\"{0}\" is not a pgfork data directory (it is not empty and has no {VERSION_FILE} file)"
    )]
    NotOurs(String),
    #[error(
        "data directory \"{path}\" has format version {found}, this server uses {FORMAT_VERSION}"
    )]
    Version { path: String, found: String },
    #[error("could not create the catalog of \"{path}\": {message}")]
    Catalog { path: String, message: String },
}

/// Creates the directory (mode 0700) with its subdirectories if needed;
/// a new one gets a catalog holding its bootstrap superuser, `superuser`
/// (default: the OS user's name), as initdb gives it.
pub fn init(dir: &Path, superuser: Option<&str>) -> Result<(), DataDirError> {
    let path = dir.display().to_string();
    let err = |source| DataDirError::Create {
        path: path.clone(),
        source,
    };
    let version_file = dir.join(VERSION_FILE);
    if dir.exists() {
        if version_file.exists() {
            let found = fs::read_to_string(&version_file).map_err(err)?;
            if found.trim() != FORMAT_VERSION {
                return Err(DataDirError::Version {
                    path,
                    found: found.trim().to_owned(),
                });
            }
        } else if fs::read_dir(dir).map_err(err)?.next().is_some() {
            return Err(DataDirError::NotOurs(path));
        }
    }
    fs::create_dir_all(dir.join("base")).map_err(err)?;
    fs::create_dir_all(dir.join("global")).map_err(err)?;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(err)?;
    if !version_file.exists() {
        let name = superuser.map_or_else(backend::catalog::roles::os_user_name, str::to_owned);
        backend::catalog::bootstrap(dir, &name).map_err(|e| DataDirError::Catalog {
            path: path.clone(),
            message: e.message,
        })?;
        fs::write(&version_file, format!("{FORMAT_VERSION}\n")).map_err(err)?;
        tracing::info!("initialized data directory \"{}\"", dir.display());
    }
    Ok(())
}
