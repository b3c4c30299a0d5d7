//! `chatgw plugin new`: writes a ready-to-build connector project from the
//! template in `sdk/template/`, embedded here so the binary carries it. The
//! project depends on the SDK by git (the chatgw repository) or by a local
//! path, builds with `cargo build --release --target wasm32-wasip2`, and
//! runs against its example fixtures with `chatgw plugin run`.

use std::path::{Path, PathBuf};

/// The repository that holds `sdk/rust`; the default SDK source.
pub const SDK_GIT: &str = "https://github.com/chatgw/chatgw";

/// Template files: path in the new project, then the text with `{{name}}`,
/// `{{crate_name}}`, `{{type_name}}` and `{{sdk_dependency}}` placeholders.
/// `Cargo.toml` is stored as `Cargo.toml.tmpl` so no tool mistakes the
/// template folder for a crate.
const TEMPLATE: &[(&str, &str)] = &[
    (".gitignore", include_str!("../../sdk/template/.gitignore")),
    ("Cargo.toml", include_str!("../../sdk/template/Cargo.toml.tmpl")),
    ("README.md", include_str!("../../sdk/template/README.md")),
    ("build.sh", include_str!("../../sdk/template/build.sh")),
    ("connector.toml", include_str!("../../sdk/template/connector.toml")),
    ("settings.example.json", include_str!("../../sdk/template/settings.example.json")),
    ("src/lib.rs", include_str!("../../sdk/template/src/lib.rs")),
    ("fixtures/http/order-1001.json", include_str!("../../sdk/template/fixtures/http/order-1001.json")),
    ("fixtures/http/products-page-1.json", include_str!("../../sdk/template/fixtures/http/products-page-1.json")),
    ("fixtures/http/products-page-2.json", include_str!("../../sdk/template/fixtures/http/products-page-2.json")),
    ("fixtures/http/shop.json", include_str!("../../sdk/template/fixtures/http/shop.json")),
    ("fixtures/http/stock-TEE-BLK-M.json", include_str!("../../sdk/template/fixtures/http/stock-TEE-BLK-M.json")),
];

/// Where the new project gets `chatgw-sdk` from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SdkSource {
    /// The chatgw repository; `rev` pins a commit or tag.
    Git { url: String, rev: Option<String> },
    /// A local checkout's `sdk/rust` folder.
    Path(PathBuf),
}

impl Default for SdkSource {
    fn default() -> Self {
        SdkSource::Git { url: SDK_GIT.into(), rev: None }
    }
}

/// A plugin project to write.
#[derive(Debug, Clone)]
pub struct NewProject {
    /// The connector id and package name, e.g. `acme-store`.
    pub name: String,
    /// The folder to create; it must not exist or be empty.
    pub dir: PathBuf,
    pub sdk: SdkSource,
}

/// Why a project could not be written, and how to fix it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ScaffoldError(pub String);

/// Checks a connector name: lowercase letters, digits and dashes, starting
/// with a letter. It becomes the connector id and the crate name.
pub fn check_name(name: &str) -> Result<(), ScaffoldError> {
    let valid = name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && !name.contains("--")
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if valid {
        Ok(())
    } else {
        Err(ScaffoldError(format!(
            "`{name}` is not a usable plugin name: use lowercase letters, digits and single \
             dashes, starting with a letter, at most 64 characters (it becomes the connector id \
             and the crate name), e.g. `acme-store`"
        )))
    }
}

/// Writes the project and returns the files written, relative to its
/// folder.
pub fn write_project(project: &NewProject) -> Result<Vec<PathBuf>, ScaffoldError> {
    check_name(&project.name)?;
    let dir = &project.dir;
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).map_err(|e| ScaffoldError(format!("cannot read {}: {e}", dir.display())))?;
        if entries.next().is_some() {
            return Err(ScaffoldError(format!("{} already exists and is not empty; choose another folder with --dir", dir.display())));
        }
    }
    let sdk_dependency = sdk_dependency(&project.sdk)?;
    let crate_name = project.name.replace('-', "_");
    let type_name: String = project
        .name
        .split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map(|first| first.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect();
    let mut written = Vec::new();
    for (relative, text) in TEMPLATE {
        let rendered = text
            .replace("{{name}}", &project.name)
            .replace("{{crate_name}}", &crate_name)
            .replace("{{type_name}}", &type_name)
            .replace("{{sdk_dependency}}", &sdk_dependency);
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| ScaffoldError(format!("cannot create {}: {e}", parent.display())))?;
        }
        std::fs::write(&path, rendered).map_err(|e| ScaffoldError(format!("cannot write {}: {e}", path.display())))?;
        if *relative == "build.sh" {
            make_executable(&path)?;
        }
        written.push(PathBuf::from(relative));
    }
    Ok(written)
}

/// The right-hand side of `chatgw-sdk = …` in the new `Cargo.toml`.
fn sdk_dependency(sdk: &SdkSource) -> Result<String, ScaffoldError> {
    let quote = |text: &str| toml::Value::String(text.into()).to_string();
    match sdk {
        SdkSource::Git { url, rev: None } => Ok(format!("{{ git = {} }}", quote(url))),
        SdkSource::Git { url, rev: Some(rev) } => Ok(format!("{{ git = {}, rev = {} }}", quote(url), quote(rev))),
        SdkSource::Path(path) => {
            let manifest = path.join("Cargo.toml");
            let is_sdk = std::fs::read_to_string(&manifest).map(|text| text.contains("name = \"chatgw-sdk\"")).unwrap_or(false);
            if !is_sdk {
                return Err(ScaffoldError(format!(
                    "{} is not the chatgw SDK (no chatgw-sdk Cargo.toml there); give the `sdk/rust` \
                     folder of a chatgw checkout",
                    path.display()
                )));
            }
            let absolute = std::fs::canonicalize(path).map_err(|e| ScaffoldError(format!("cannot resolve {}: {e}", path.display())))?;
            Ok(format!("{{ path = {} }}", quote(&absolute.to_string_lossy())))
        }
    }
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<(), ScaffoldError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).map_err(|e| ScaffoldError(format!("cannot make {} executable: {e}", path.display())))
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> Result<(), ScaffoldError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_ids_crates_and_types() {
        for good in ["acme", "acme-store", "shop2go"] {
            check_name(good).unwrap();
        }
        for bad in ["", "Acme", "2shop", "acme_store", "acme-", "a--b", "acme store"] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_template_file_is_embedded() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sdk/template");
        let mut on_disk = Vec::new();
        let mut stack = vec![root.clone()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let relative = path.strip_prefix(&root).unwrap().to_string_lossy().into_owned();
                    on_disk.push(relative.replace("Cargo.toml.tmpl", "Cargo.toml"));
                }
            }
        }
        on_disk.sort();
        let mut embedded: Vec<String> = TEMPLATE.iter().map(|(p, _)| p.to_string()).collect();
        embedded.sort();
        assert_eq!(on_disk, embedded, "sdk/template and TEMPLATE differ");
    }

    #[test]
    fn projects_render_every_placeholder_and_refuse_to_overwrite() {
        let dir = std::env::temp_dir().join(format!("chatgw-scaffold-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let project = NewProject { name: "acme-store".into(), dir: dir.clone(), sdk: SdkSource::Git { url: SDK_GIT.into(), rev: Some("v0.1.0".into()) } };
        let written = write_project(&project).unwrap();
        assert!(written.contains(&PathBuf::from("src/lib.rs")));
        for relative in &written {
            let text = std::fs::read_to_string(dir.join(relative)).unwrap();
            assert!(!text.contains("{{"), "{} keeps a placeholder", relative.display());
        }
        let cargo = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        assert!(cargo.contains(r#"name = "acme-store""#), "{cargo}");
        assert!(cargo.contains(r#"chatgw-sdk = { git = "https://github.com/chatgw/chatgw", rev = "v0.1.0" }"#), "{cargo}");
        let lib = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
        assert!(lib.contains("struct AcmeStore;") && lib.contains(r#""acme-store""#));
        let again = write_project(&project).unwrap_err().to_string();
        assert!(again.contains("not empty"), "{again}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
