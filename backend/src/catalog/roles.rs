//! Roles and privileges as the catalog keeps them: pg_authid (roles and
//! their attributes), pg_auth_members (role memberships), the owner of
//! every object and its ACL (relacl, nspacl, datacl) as a list of
//! aclitems. Roles, memberships and database ACLs (datacl) are
//! cluster-wide: they live in the shared catalog file `global/shared`
//! (`database.rs` says what is shared and how it commits with the
//! database's own catalog); owners and ACLs of a database's objects live
//! in that database's catalog.
//!
//! Owners: an object absent from [`Catalog::owners`] is owned by the
//! bootstrap superuser (OID 10), so catalogs written before roles existed
//! read as they did. ACLs: an object absent from [`Catalog::acls`] has
//! the default ACL of its kind (PostgreSQL's acldefault: its owner holds
//! every privilege, PUBLIC what the kind gives it), as a NULL relacl
//! means in PostgreSQL.
//!
//! The privilege check ([`Catalog::has_privilege`]) is PostgreSQL's
//! aclcheck: a superuser passes; otherwise the union of the privileges
//! the ACL gives PUBLIC, the role, and every role whose privileges it
//! inherits (memberships through INHERIT roles).

use std::collections::BTreeSet;
use std::sync::Arc;

use super::{esc, unesc, Catalog};
use crate::error::{sqlstate, PgError, PgResult};
use crate::types::Oid;

/// The bootstrap superuser (initdb's user), owner of everything built in.
pub const BOOTSTRAP_SUPERUSER: Oid = 10;
/// The grantee OID of PUBLIC in an aclitem.
pub const PUBLIC: Oid = 0;

/// A role (a pg_authid row).
#[derive(Clone, Debug, PartialEq)]
pub struct RoleDesc {
    pub oid: Oid,
    pub name: String,
    pub superuser: bool,
    pub inherit: bool,
    pub createrole: bool,
    pub createdb: bool,
    pub login: bool,
    pub replication: bool,
    pub bypassrls: bool,
    /// -1: no limit.
    pub connlimit: i32,
    /// rolpassword: a SCRAM-SHA-256 verifier, or None.
    pub password: Option<String>,
    /// rolvaliduntil: a timestamptz (PostgreSQL epoch microseconds).
    pub valid_until: Option<i64>,
}

impl RoleDesc {
    /// A role with CREATE ROLE's defaults (NOLOGIN, INHERIT, no
    /// attributes).
    pub fn new(oid: Oid, name: String) -> RoleDesc {
        RoleDesc {
            oid,
            name,
            superuser: false,
            inherit: true,
            createrole: false,
            createdb: false,
            login: false,
            replication: false,
            bypassrls: false,
            connlimit: -1,
            password: None,
            valid_until: None,
        }
    }

    /// The bootstrap superuser named `name`, as initdb creates it.
    pub fn bootstrap(name: &str) -> RoleDesc {
        RoleDesc {
            superuser: true,
            createrole: true,
            createdb: true,
            login: true,
            replication: true,
            bypassrls: true,
            ..RoleDesc::new(BOOTSTRAP_SUPERUSER, name.to_owned())
        }
    }
}

/// A membership (a pg_auth_members row): `member` is a member of `role`.
#[derive(Clone, Debug, PartialEq)]
pub struct AuthMember {
    pub role: Oid,
    pub member: Oid,
    pub grantor: Oid,
    pub admin: bool,
}

/// PostgreSQL's predefined roles (not in the catalog file; they exist in
/// every cluster and cannot be changed): OID and name.
pub const PREDEFINED_ROLES: &[(Oid, &str)] = &[
    (6171, "pg_database_owner"),
    (6181, "pg_read_all_data"),
    (6182, "pg_write_all_data"),
    (3373, "pg_monitor"),
    (3374, "pg_read_all_settings"),
    (3375, "pg_read_all_stats"),
    (3377, "pg_stat_scan_tables"),
    (4569, "pg_read_server_files"),
    (4570, "pg_write_server_files"),
    (4571, "pg_execute_server_program"),
    (4200, "pg_signal_backend"),
    (4544, "pg_checkpoint"),
];

/// The memberships initdb creates among the predefined roles: pg_monitor
/// is a member of these three (granted by the bootstrap superuser).
pub const PREDEFINED_MEMBERS: &[(Oid, Oid)] = &[(3374, 3373), (3375, 3373), (3377, 3373)];

/// Privilege bits, in PostgreSQL's order (ACL_INSERT = 1 << 0 ...).
pub mod privs {
    pub const INSERT: u32 = 1 << 0;
    pub const SELECT: u32 = 1 << 1;
    pub const UPDATE: u32 = 1 << 2;
    pub const DELETE: u32 = 1 << 3;
    pub const TRUNCATE: u32 = 1 << 4;
    pub const REFERENCES: u32 = 1 << 5;
    pub const TRIGGER: u32 = 1 << 6;
    pub const EXECUTE: u32 = 1 << 7;
    pub const USAGE: u32 = 1 << 8;
    pub const CREATE: u32 = 1 << 9;
    pub const TEMP: u32 = 1 << 10;
    pub const CONNECT: u32 = 1 << 11;
}

/// The aclitem letters of the privilege bits, in bit order.
const LETTERS: &[u8] = b"arwdDxtXUCTc";

/// The kinds of object that have an ACL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectKind {
    /// A table or view (acldefault 'r').
    Relation,
    Sequence,
    Schema,
    Database,
}

impl ObjectKind {
    /// Every privilege the kind has (what ALL grants).
    pub fn all(self) -> u32 {
        use privs::*;
        match self {
            ObjectKind::Relation => {
                INSERT | SELECT | UPDATE | DELETE | TRUNCATE | REFERENCES | TRIGGER
            }
            ObjectKind::Sequence => USAGE | SELECT | UPDATE,
            ObjectKind::Schema => USAGE | CREATE,
            ObjectKind::Database => CREATE | TEMP | CONNECT,
        }
    }

    /// What PUBLIC holds by default (databases: CONNECT and TEMP).
    pub fn public_default(self) -> u32 {
        match self {
            ObjectKind::Database => privs::TEMP | privs::CONNECT,
            _ => 0,
        }
    }

    /// The letter keying an ACL in [`Catalog::acls`]: relations and
    /// sequences share pg_class's OIDs ('r'), schemas 'n', databases 'd'
    /// (a database's OID may equal a relation's).
    pub fn class(self) -> char {
        match self {
            ObjectKind::Relation | ObjectKind::Sequence => 'r',
            ObjectKind::Schema => 'n',
            ObjectKind::Database => 'd',
        }
    }

    /// The word PostgreSQL's messages use ("permission denied for table t").
    pub fn word(self) -> &'static str {
        match self {
            ObjectKind::Relation => "table",
            ObjectKind::Sequence => "sequence",
            ObjectKind::Schema => "schema",
            ObjectKind::Database => "database",
        }
    }
}

/// One aclitem: `grantee` (0: PUBLIC) holds `privs` granted by `grantor`,
/// with the grant option for the bits of `grant`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AclItem {
    pub grantee: Oid,
    pub grantor: Oid,
    pub privs: u32,
    pub grant: u32,
}

/// The privilege letters of `privs`, a `*` after each held with the
/// grant option (aclitemout's form).
pub fn privilege_letters(privs: u32, grant: u32) -> String {
    let mut s = String::new();
    for (i, l) in LETTERS.iter().enumerate() {
        if privs & (1 << i) != 0 {
            s.push(*l as char);
            if grant & (1 << i) != 0 {
                s.push('*');
            }
        }
    }
    s
}

/// A role name as aclitemout writes it: double-quoted when it holds
/// anything but letters, digits and underscores.
pub fn acl_role_name(name: &str) -> String {
    if !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return name.to_owned();
    }
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The default ACL of an object of `kind` owned by `owner`.
pub fn default_acl(kind: ObjectKind, owner: Oid) -> Vec<AclItem> {
    let mut v = Vec::new();
    let public = kind.public_default();
    if public != 0 {
        v.push(AclItem {
            grantee: PUBLIC,
            grantor: owner,
            privs: public,
            grant: 0,
        });
    }
    v.push(AclItem {
        grantee: owner,
        grantor: owner,
        privs: kind.all(),
        grant: 0,
    });
    v
}

/// Adds (`revoke` false) or removes privileges of `grantee` granted by
/// `grantor` in `acl`, as aclupdate does: a grant merges into the
/// grantee's item from that grantor (or appends one); a revoke clears the
/// bits (only the grant option with `grant_only`), dropping an item left
/// with none.
pub fn acl_update(
    acl: &mut Vec<AclItem>,
    grantee: Oid,
    grantor: Oid,
    bits: u32,
    with_grant: bool,
    revoke: bool,
    grant_only: bool,
) {
    let pos = acl
        .iter()
        .position(|a| a.grantee == grantee && a.grantor == grantor);
    if revoke {
        if let Some(p) = pos {
            let a = &mut acl[p];
            a.grant &= !bits;
            if !grant_only {
                a.privs &= !bits;
            }
            if a.privs == 0 {
                acl.remove(p);
            }
        }
        return;
    }
    let grant = if with_grant { bits } else { 0 };
    match pos {
        Some(p) => {
            acl[p].privs |= bits;
            acl[p].grant |= grant;
        }
        None => acl.push(AclItem {
            grantee,
            grantor,
            privs: bits,
            grant,
        }),
    }
}

/// A privilege a statement needs on a relation, checked before it runs:
/// as the current role, or as `as_role` (a view's owner, for what the
/// view reads).
#[derive(Clone, Debug, PartialEq)]
pub struct PermCheck {
    pub rel: Oid,
    pub mask: u32,
    pub as_role: Option<Oid>,
}

impl Catalog {
    /// Checks a statement's [`PermCheck`]s as `role`: 42501 "permission
    /// denied for table t" (view, sequence) at the first one not held.
    pub fn check_relation_privileges(&self, role: Oid, perms: &[PermCheck]) -> PgResult<()> {
        for p in perms {
            let who = p.as_role.unwrap_or(role);
            // A superuser passes every check: decide that before looking
            // the relation up (this runs before every execution).
            if self.is_superuser(who) {
                continue;
            }
            let (kind, word) = if self.sequence_by_oid(p.rel).is_some() {
                (ObjectKind::Sequence, "sequence")
            } else if self.views.iter().any(|v| v.oid == p.rel) {
                (ObjectKind::Relation, "view")
            } else {
                (ObjectKind::Relation, "table")
            };
            let owner = self.owner_of(p.rel);
            if self.privilege_mask(who, p.rel, kind, owner, p.mask) != p.mask {
                return Err(PgError::new(
                    sqlstate::INSUFFICIENT_PRIVILEGE,
                    format!(
                        "permission denied for {word} {}",
                        self.relation_name(p.rel).unwrap_or("?")
                    ),
                ));
            }
        }
        Ok(())
    }

    /// A role of the catalog or a predefined one, by OID.
    pub fn role(&self, oid: Oid) -> Option<Arc<RoleDesc>> {
        if let Some(r) = self.roles.iter().find(|r| r.oid == oid) {
            return Some(r.clone());
        }
        PREDEFINED_ROLES
            .iter()
            .find(|p| p.0 == oid)
            .map(|p| Arc::new(RoleDesc::new(p.0, p.1.to_owned())))
    }

    /// A role by name.
    pub fn role_by_name(&self, name: &str) -> Option<Arc<RoleDesc>> {
        if let Some(r) = self.roles.iter().find(|r| r.name == name) {
            return Some(r.clone());
        }
        PREDEFINED_ROLES
            .iter()
            .find(|p| p.1 == name)
            .map(|p| Arc::new(RoleDesc::new(p.0, p.1.to_owned())))
    }

    /// Every role: the catalog's, then the predefined ones.
    pub fn all_roles(&self) -> Vec<Arc<RoleDesc>> {
        let mut v = self.roles.clone();
        v.extend(
            PREDEFINED_ROLES
                .iter()
                .map(|p| Arc::new(RoleDesc::new(p.0, p.1.to_owned()))),
        );
        v
    }

    /// Every membership: the catalog's and the predefined ones.
    pub fn all_members(&self) -> Vec<AuthMember> {
        let mut v: Vec<AuthMember> = PREDEFINED_MEMBERS
            .iter()
            .map(|&(role, member)| AuthMember {
                role,
                member,
                grantor: BOOTSTRAP_SUPERUSER,
                admin: false,
            })
            .collect();
        v.extend(self.members.iter().cloned());
        v
    }

    /// The name of role `oid`, if it exists.
    pub fn role_name(&self, oid: Oid) -> Option<String> {
        self.role(oid).map(|r| r.name.clone())
    }

    pub fn is_superuser(&self, role: Oid) -> bool {
        self.role(role).is_some_and(|r| r.superuser)
    }

    /// The roles `role` is a member of, directly or not, itself
    /// included; `inherit_only`: only through roles that inherit (whose
    /// privileges `role` has without SET ROLE).
    pub fn roles_of(&self, role: Oid, inherit_only: bool) -> BTreeSet<Oid> {
        let members = self.all_members();
        let mut out = BTreeSet::from([role]);
        let mut todo = vec![role];
        while let Some(r) = todo.pop() {
            if inherit_only && !self.role(r).is_some_and(|d| d.inherit) {
                continue;
            }
            for m in members.iter().filter(|m| m.member == r) {
                if out.insert(m.role) {
                    todo.push(m.role);
                }
            }
        }
        out
    }

    /// Whether `member` has the privileges of `role` (is_member_of_role
    /// with inheritance; a superuser has every role's).
    pub fn has_privs_of_role(&self, member: Oid, role: Oid) -> bool {
        member == role || self.is_superuser(member) || self.roles_of(member, true).contains(&role)
    }

    /// Whether `member` may SET ROLE to `role` (any membership chain).
    pub fn is_member_of_role(&self, member: Oid, role: Oid) -> bool {
        member == role || self.is_superuser(member) || self.roles_of(member, false).contains(&role)
    }

    /// The owner of an object (the bootstrap superuser unless recorded).
    pub fn owner_of(&self, obj: Oid) -> Oid {
        self.owners
            .get(&obj)
            .copied()
            .unwrap_or(BOOTSTRAP_SUPERUSER)
    }

    /// Records the owner of an object.
    pub fn set_owner(&mut self, obj: Oid, owner: Oid) {
        if owner == BOOTSTRAP_SUPERUSER {
            self.owners.remove(&obj);
        } else {
            self.owners.insert(obj, owner);
        }
    }

    /// The ACL of an object: its recorded one, or the default: its
    /// kind's (acldefault), except what initdb grants: USAGE on the
    /// built-in schemas and SELECT on the system catalogs to PUBLIC (a
    /// schema CREATE SCHEMA makes has its owner's privileges alone).
    pub fn acl_of(&self, obj: Oid, kind: ObjectKind, owner: Oid) -> Vec<AclItem> {
        if let Some(a) = self.acls.get(&(kind.class(), obj)) {
            return a.clone();
        }
        let public = |privs| AclItem {
            grantee: PUBLIC,
            grantor: owner,
            privs,
            grant: 0,
        };
        let mut acl = default_acl(kind, owner);
        match kind {
            ObjectKind::Schema if obj < super::FIRST_USER_OID => acl.push(public(privs::USAGE)),
            ObjectKind::Relation if obj < super::FIRST_USER_OID => acl.push(public(privs::SELECT)),
            _ => {}
        }
        acl
    }

    /// The recorded ACL of an object (None: the default, a NULL ACL
    /// column).
    pub fn explicit_acl(&self, kind: ObjectKind, obj: Oid) -> Option<&Vec<AclItem>> {
        self.acls.get(&(kind.class(), obj))
    }

    /// The privileges of `mask` that `role` holds on an object.
    pub fn privilege_mask(
        &self,
        role: Oid,
        obj: Oid,
        kind: ObjectKind,
        owner: Oid,
        mask: u32,
    ) -> u32 {
        if self.is_superuser(role) {
            return mask;
        }
        let mine = self.roles_of(role, true);
        self.acl_of(obj, kind, owner)
            .iter()
            .filter(|a| a.grantee == PUBLIC || mine.contains(&a.grantee))
            .fold(0, |acc, a| acc | a.privs)
            & mask
    }

    /// The privileges of `mask` that `role` holds with the grant option.
    pub fn grant_option_mask(
        &self,
        role: Oid,
        obj: Oid,
        kind: ObjectKind,
        owner: Oid,
        mask: u32,
    ) -> u32 {
        if self.is_superuser(role) {
            return mask;
        }
        let mine = self.roles_of(role, true);
        self.acl_of(obj, kind, owner)
            .iter()
            .filter(|a| a.grantee == PUBLIC || mine.contains(&a.grantee))
            .fold(0, |acc, a| acc | a.grant)
            & mask
    }

    /// Whether `role` holds any privilege of `mask` on an object
    /// (has_table_privilege's "any of" for a list of privileges).
    pub fn has_privilege(
        &self,
        role: Oid,
        obj: Oid,
        kind: ObjectKind,
        owner: Oid,
        mask: u32,
    ) -> bool {
        self.privilege_mask(role, obj, kind, owner, mask) != 0
    }

    /// The text form of an ACL (aclitemout of each item): `grantee=privs/grantor`,
    /// an empty grantee for PUBLIC.
    pub fn acl_text(&self, acl: &[AclItem]) -> Vec<String> {
        let name = |o: Oid| {
            self.role_name(o)
                .map_or_else(|| o.to_string(), |n| acl_role_name(&n))
        };
        acl.iter()
            .map(|a| {
                let grantee = if a.grantee == PUBLIC {
                    String::new()
                } else {
                    name(a.grantee)
                };
                format!(
                    "{grantee}={}/{}",
                    privilege_letters(a.privs, a.grant),
                    name(a.grantor)
                )
            })
            .collect()
    }

    /// Makes sure the bootstrap superuser exists: a catalog written
    /// before roles existed gets it, named after the OS user running the
    /// server (initdb's default).
    pub(super) fn ensure_bootstrap_role(&mut self) {
        if !self.roles.iter().any(|r| r.oid == BOOTSTRAP_SUPERUSER) {
            self.roles
                .insert(0, Arc::new(RoleDesc::bootstrap(&os_user_name())));
        }
    }

    /// The lines of the catalog files for roles, memberships, owners and
    /// ACLs: `shared`, those of the shared catalog (roles, memberships,
    /// database ACLs); otherwise those of the database's catalog (owners,
    /// ACLs of its objects).
    pub(super) fn serialize_roles(&self, shared: bool) -> String {
        let mut s = String::new();
        if !shared {
            for (obj, owner) in &self.owners {
                s += &format!("owner {obj} {owner}\n");
            }
        }
        let opt = |v: &Option<String>| v.as_deref().map_or("\\N".to_owned(), esc);
        let roles: &[Arc<RoleDesc>] = if shared { &self.roles } else { &[] };
        for r in roles {
            s += &format!(
                "role {} {} {} {} {} {} {} {} {} {} {} {}\n",
                r.oid,
                esc(&r.name),
                u8::from(r.superuser),
                u8::from(r.inherit),
                u8::from(r.createrole),
                u8::from(r.createdb),
                u8::from(r.login),
                u8::from(r.replication),
                u8::from(r.bypassrls),
                r.connlimit,
                opt(&r.password),
                r.valid_until.map_or("\\N".to_owned(), |v| v.to_string())
            );
        }
        let members: &[AuthMember] = if shared { &self.members } else { &[] };
        for m in members {
            s += &format!(
                "member {} {} {} {}\n",
                m.role,
                m.member,
                m.grantor,
                u8::from(m.admin)
            );
        }
        for ((class, obj), acl) in &self.acls {
            if (*class == ObjectKind::Database.class()) != shared {
                continue;
            }
            let items: Vec<String> = acl
                .iter()
                .map(|a| format!("{}:{}:{}:{}", a.grantee, a.grantor, a.privs, a.grant))
                .collect();
            s += &format!(
                "acl {class} {obj} {}\n",
                if items.is_empty() {
                    "-".to_owned()
                } else {
                    items.join(",")
                }
            );
        }
        s
    }

    /// Parses one line written by [`Catalog::serialize_roles`]; false
    /// when it is not one of them, Err(()) when it is malformed.
    pub(super) fn parse_role_line(&mut self, f: &[&str]) -> Result<bool, ()> {
        let num = |i: usize| -> Result<i64, ()> { f.get(i).and_then(|v| v.parse().ok()).ok_or(()) };
        let flag = |i: usize| num(i).map(|v| v != 0);
        let opt = |i: usize| -> Result<Option<String>, ()> {
            match f.get(i) {
                Some(&"\\N") => Ok(None),
                Some(v) => Ok(Some(unesc(v))),
                None => Err(()),
            }
        };
        match f.first().copied() {
            Some("role") => self.roles.push(Arc::new(RoleDesc {
                oid: num(1)? as Oid,
                name: unesc(f.get(2).ok_or(())?),
                superuser: flag(3)?,
                inherit: flag(4)?,
                createrole: flag(5)?,
                createdb: flag(6)?,
                login: flag(7)?,
                replication: flag(8)?,
                bypassrls: flag(9)?,
                connlimit: num(10)? as i32,
                password: opt(11)?,
                valid_until: match f.get(12) {
                    Some(&"\\N") => None,
                    Some(v) => Some(v.parse().map_err(|_| ())?),
                    None => return Err(()),
                },
            })),
            Some("member") => self.members.push(AuthMember {
                role: num(1)? as Oid,
                member: num(2)? as Oid,
                grantor: num(3)? as Oid,
                admin: flag(4)?,
            }),
            Some("owner") => {
                self.owners.insert(num(1)? as Oid, num(2)? as Oid);
            }
            Some("acl") => {
                let mut acl = Vec::new();
                let class = f.get(1).and_then(|c| c.chars().next()).ok_or(())?;
                let items = f.get(3).ok_or(())?;
                if *items != "-" {
                    for it in items.split(',') {
                        let p: Vec<u32> = it
                            .split(':')
                            .map(|x| x.parse().map_err(|_| ()))
                            .collect::<Result<_, _>>()?;
                        let [grantee, grantor, privs, grant] = p[..] else {
                            return Err(());
                        };
                        acl.push(AclItem {
                            grantee,
                            grantor,
                            privs,
                            grant,
                        });
                    }
                }
                self.acls.insert((class, num(2)? as Oid), acl);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Forgets the owners and ACLs of objects that no longer exist (after
    /// a DROP), so that they do not keep their roles from being dropped.
    pub fn prune_role_refs(&mut self, live: &BTreeSet<Oid>) {
        self.owners.retain(|o, _| live.contains(o));
        let schemas: BTreeSet<Oid> = self.namespaces().iter().map(|n| n.0).collect();
        self.acls.retain(|(class, o), _| match class {
            'r' => live.contains(o),
            'n' => schemas.contains(o),
            _ => true,
        });
    }
}

/// The name of the OS user running the server: initdb's default for the
/// bootstrap superuser.
pub fn os_user_name() -> String {
    nix::unistd::User::from_uid(nix::unistd::geteuid())
        .ok()
        .flatten()
        .map(|u| u.name)
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "postgres".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acl_items_and_text() {
        let mut c = Catalog::empty();
        c.ensure_bootstrap_role();
        let alice = c.alloc_oid();
        c.roles.push(Arc::new(RoleDesc::new(alice, "alice".into())));
        let mut acl = default_acl(ObjectKind::Relation, BOOTSTRAP_SUPERUSER);
        acl_update(&mut acl, alice, 10, privs::SELECT, false, false, false);
        acl_update(&mut acl, PUBLIC, 10, privs::INSERT, true, false, false);
        let boot = acl_role_name(&c.role_name(10).unwrap());
        assert_eq!(
            c.acl_text(&acl),
            vec![
                format!("{boot}=arwdDxt/{boot}"),
                format!("alice=r/{boot}"),
                format!("=a*/{boot}")
            ]
        );
        c.acls.insert(('r', 20000), acl.clone());
        assert!(c.has_privilege(alice, 20000, ObjectKind::Relation, 10, privs::SELECT));
        assert!(c.has_privilege(alice, 20000, ObjectKind::Relation, 10, privs::INSERT));
        assert!(!c.has_privilege(alice, 20000, ObjectKind::Relation, 10, privs::UPDATE));
        acl_update(&mut acl, alice, 10, privs::SELECT, false, true, false);
        assert_eq!(acl.len(), 2);
        // Round trip through the catalog file.
        c.acls.insert(('r', 20000), acl);
        c.owners.insert(20000, alice);
        c.members.push(AuthMember {
            role: alice,
            member: 10,
            grantor: 10,
            admin: true,
        });
        let back = Catalog::deserialize(&c.serialize()).unwrap();
        assert_eq!(back.roles, c.roles);
        assert_eq!(back.acls, c.acls);
        assert_eq!(back.owners, c.owners);
        assert_eq!(back.members, c.members);
        assert_eq!(acl_role_name("a b\"c"), "\"a b\"\"c\"");
    }

    #[test]
    fn inheritance() {
        let mut c = Catalog::empty();
        c.ensure_bootstrap_role();
        let (a, b, n) = (20001, 20002, 20003);
        c.roles.push(Arc::new(RoleDesc::new(a, "a".into())));
        c.roles.push(Arc::new(RoleDesc::new(b, "b".into())));
        let mut noinherit = RoleDesc::new(n, "n".into());
        noinherit.inherit = false;
        c.roles.push(Arc::new(noinherit));
        for (role, member) in [(a, b), (b, n)] {
            c.members.push(AuthMember {
                role,
                member,
                grantor: 10,
                admin: false,
            });
        }
        assert!(c.has_privs_of_role(b, a));
        assert!(!c.has_privs_of_role(n, b));
        assert!(c.is_member_of_role(n, a));
        assert!(c.has_privs_of_role(10, n));
    }
}
