//! The methods of `r`: one per [`Action`], [`PolicyDirective`] and
//! [`GroupOp`], spelled as Conary spells them (`addArchive`, `Make`,
//! `ComponentSpec`, `addNewGroup`), plus `r.Macros(...)` and the
//! attributes `r.name`, `r.version`, `r.sources`, `r.macros`.
//!
//! Each call checks its arguments, checks that the recipe's kind allows
//! it (build actions and policy in package and factory recipes, group
//! operations in group recipes) and records a [`Located`] item at the
//! call site. Argument names are the original's, hence camelCase.
#![allow(non_snake_case)]

use starlark::collections::SmallMap;
use starlark::environment::{Methods, MethodsBuilder};
use starlark::eval::Evaluator;
use starlark::starlark_module;
use starlark::values::Value;
use starlark::values::list::ListRef;
use starlark::values::none::{NoneOr, NoneType};
use starlark::values::tuple::TupleRef;
use starlark::values::tuple::UnpackTuple;

use super::error::location_of;
use super::model::{Action, GroupOp, Located, Location, PolicyDirective, RecipeKind};
use super::values::{MacrosObject, RecipeObject};

/// The method table of `r`, built once.
pub(crate) fn recipe_methods() -> Option<&'static Methods> {
    Some(RECIPE_METHODS.methods())
}

starlark::methods_static!(RECIPE_METHODS = recipe_methods_builder);

/// A wrong call on `r`, reported at the call site.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct CallError(String);

fn fail<T>(message: String) -> starlark::Result<T> {
    Err(starlark::Error::new_native(CallError(message)))
}

/// Where the current call on `r` is in the recipe.
fn call_site(eval: &Evaluator) -> Location {
    eval.call_stack_top_location()
        .map(|span| location_of(&span))
        .unwrap_or_default()
}

fn push_action(
    this: &RecipeObject,
    eval: &Evaluator,
    method: &str,
    item: Action,
) -> starlark::Result<NoneType> {
    if this.kind == RecipeKind::Group {
        return fail(format!(
            "build action '{method}' is not allowed in a group recipe"
        ));
    }
    let at = call_site(eval);
    this.collector.lock().actions.push(Located { at, item });
    Ok(NoneType)
}

fn push_policy(
    this: &RecipeObject,
    eval: &Evaluator,
    method: &str,
    item: PolicyDirective,
) -> starlark::Result<NoneType> {
    if this.kind == RecipeKind::Group {
        return fail(format!(
            "policy directive '{method}' is not allowed in a group recipe"
        ));
    }
    let at = call_site(eval);
    this.collector.lock().policy.push(Located { at, item });
    Ok(NoneType)
}

/// `r.addPreInstallScript(…)` and the other seven script slots: one
/// `AddScript` operation for `slot`, recorded as a call of `method`.
fn add_script(
    this: &RecipeObject,
    eval: &Evaluator,
    method: &str,
    slot: &str,
    contents: &str,
    group: NoneOr<&str>,
) -> starlark::Result<NoneType> {
    add_script_to(this, eval, method, slot, contents, group, Vec::new())
}

/// [`add_script`] with the `toClass` conversions of a postRollback
/// script.
fn add_script_to(
    this: &RecipeObject,
    eval: &Evaluator,
    method: &str,
    slot: &str,
    contents: &str,
    group: NoneOr<&str>,
    to_class: Vec<u16>,
) -> starlark::Result<NoneType> {
    let item = GroupOp::AddScript {
        slot: slot.to_owned(),
        contents: contents.to_owned(),
        group: optional(group),
        to_class,
    };
    push_group_op(this, eval, method, item)
}

/// `toClass=`: one class or a list (or tuple) of classes, each 0 to 65535.
fn to_classes(value: Value<'_>) -> starlark::Result<Vec<u16>> {
    let class = |item: Value<'_>| -> starlark::Result<u16> {
        match item.unpack_i32().map(u16::try_from) {
            Some(Ok(class)) => Ok(class),
            Some(Err(_)) => fail(format!(
                "toClass: compatibility class {item} is out of range (0 to 65535)"
            )),
            None => fail(format!(
                "toClass must be a compatibility class or a list of them, not {}",
                item.get_type()
            )),
        }
    };
    let items = match (ListRef::from_value(value), TupleRef::from_value(value)) {
        (Some(list), _) => list.iter().collect::<Vec<_>>(),
        (None, Some(tuple)) => tuple.iter().collect(),
        (None, None) => return Ok(vec![class(value)?]),
    };
    if items.is_empty() {
        return fail("toClass names no compatibility class".to_owned());
    }
    items.into_iter().map(class).collect()
}

fn push_group_op(
    this: &RecipeObject,
    eval: &Evaluator,
    method: &str,
    item: GroupOp,
) -> starlark::Result<NoneType> {
    if this.kind != RecipeKind::Group {
        return fail(format!(
            "group operation '{method}' is only allowed in a group recipe (a name starting with 'group-')"
        ));
    }
    let at = call_site(eval);
    this.collector.lock().group_ops.push(Located { at, item });
    Ok(NoneType)
}

/// Strings given positionally, each a string or a list of strings.
fn strings(method: &str, values: &[Value]) -> starlark::Result<Vec<String>> {
    let mut found = Vec::new();
    for value in values {
        collect_strings(method, *value, &mut found)?;
    }
    Ok(found)
}

fn collect_strings(method: &str, value: Value, found: &mut Vec<String>) -> starlark::Result<()> {
    if let Some(text) = value.unpack_str() {
        found.push(text.to_owned());
        return Ok(());
    }
    let items = match (ListRef::from_value(value), TupleRef::from_value(value)) {
        (Some(list), _) => Some(list.content().to_vec()),
        (None, Some(tuple)) => Some(tuple.content().to_vec()),
        (None, None) => None,
    };
    if let Some(items) = items {
        for item in items {
            match item.unpack_str() {
                Some(text) => found.push(text.to_owned()),
                None => {
                    return fail(format!(
                        "r.{method}: expected strings, got {} in a list",
                        item.get_type()
                    ));
                }
            }
        }
        return Ok(());
    }
    fail(format!(
        "r.{method}: expected a string or a list of strings, got {}",
        value.get_type()
    ))
}

/// At least one pattern.
fn patterns(method: &str, values: &[Value]) -> starlark::Result<Vec<String>> {
    let found = strings(method, values)?;
    if found.is_empty() {
        return fail(format!("r.{method} needs at least one pattern"));
    }
    Ok(found)
}

/// Permission bits from a Starlark int (`0o755`).
fn mode(method: &str, value: i32) -> starlark::Result<u32> {
    match u32::try_from(value) {
        Ok(bits) if bits <= 0o7777 => Ok(bits),
        _ => fail(format!(
            "r.{method}: mode {value:#o} is not permission bits (0 to 0o7777)"
        )),
    }
}

fn optional(value: NoneOr<&str>) -> Option<String> {
    value.into_option().map(str::to_owned)
}

#[starlark_module]
fn recipe_methods_builder(builder: &mut MethodsBuilder) {
    /// The package (or group) name.
    #[starlark(attribute)]
    fn name(this: &RecipeObject) -> starlark::Result<String> {
        Ok(this.name.clone())
    }

    /// The upstream version.
    #[starlark(attribute)]
    fn version(this: &RecipeObject) -> starlark::Result<String> {
        Ok(this.version.clone())
    }

    /// The files of the source trove besides the recipe.
    #[starlark(attribute)]
    fn sources(this: &RecipeObject) -> starlark::Result<Vec<String>> {
        Ok(this.sources.clone())
    }

    /// The recipe's macros: `r.macros.NAME = "value"`.
    #[starlark(attribute)]
    fn macros(this: &RecipeObject) -> starlark::Result<MacrosObject> {
        Ok(MacrosObject {
            collector: this.collector.clone(),
        })
    }

    /// Sets macros: `r.Macros(prefix="/opt")`.
    fn Macros<'v>(
        this: &RecipeObject,
        #[starlark(kwargs)] kwargs: SmallMap<String, Value<'v>>,
    ) -> starlark::Result<NoneType> {
        let mut macros = Vec::new();
        for (name, value) in kwargs {
            match value.unpack_str() {
                Some(text) => macros.push((name, text.to_owned())),
                None => {
                    return fail(format!(
                        "r.Macros: macro '{name}' must be a string, not {}",
                        value.get_type()
                    ));
                }
            }
        }
        this.collector.lock().macros.extend(macros);
        Ok(NoneType)
    }

    fn addArchive<'v>(
        this: &RecipeObject,
        name: &str,
        #[starlark(default = NoneOr::None)] dir: NoneOr<&str>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        let item = Action::AddArchive {
            name: name.to_owned(),
            dir: optional(dir),
        };
        push_action(this, eval, "addArchive", item)
    }

    fn addSource<'v>(
        this: &RecipeObject,
        name: &str,
        #[starlark(default = NoneOr::None)] dest: NoneOr<&str>,
        #[starlark(default = NoneOr::None)] mode: NoneOr<i32>,
        #[starlark(default = false)] macros: bool,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        let mode = match mode.into_option() {
            Some(bits) => Some(self::mode("addSource", bits)?),
            None => None,
        };
        let item = Action::AddSource {
            name: name.to_owned(),
            dest: optional(dest),
            mode,
            macros,
        };
        push_action(this, eval, "addSource", item)
    }

    fn addPatch<'v>(
        this: &RecipeObject,
        name: &str,
        #[starlark(default = 1)] level: i32,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        let Ok(level) = u32::try_from(level) else {
            return fail(format!("r.addPatch: level {level} is negative"));
        };
        let item = Action::AddPatch {
            name: name.to_owned(),
            level,
        };
        push_action(this, eval, "addPatch", item)
    }

    fn Configure<'v>(
        this: &RecipeObject,
        #[starlark(default = "")] args: &str,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        let item = Action::Configure {
            args: args.to_owned(),
        };
        push_action(this, eval, "Configure", item)
    }

    fn Make<'v>(
        this: &RecipeObject,
        #[starlark(default = "")] args: &str,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        let item = Action::Make {
            args: args.to_owned(),
        };
        push_action(this, eval, "Make", item)
    }

    fn MakeInstall<'v>(
        this: &RecipeObject,
        #[starlark(default = "")] args: &str,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        let item = Action::MakeInstall {
            args: args.to_owned(),
        };
        push_action(this, eval, "MakeInstall", item)
    }

    fn Run<'v>(
        this: &RecipeObject,
        command: &str,
        #[starlark(default = NoneOr::None)] dir: NoneOr<&str>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        let item = Action::Run {
            command: command.to_owned(),
            dir: optional(dir),
        };
        push_action(this, eval, "Run", item)
    }

    fn Install<'v>(
        this: &RecipeObject,
        from: &str,
        to: &str,
        #[starlark(default = NoneOr::None)] mode: NoneOr<i32>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        let mode = match mode.into_option() {
            Some(bits) => Some(self::mode("Install", bits)?),
            None => None,
        };
        let item = Action::Install {
            from: from.to_owned(),
            to: to.to_owned(),
            mode,
        };
        push_action(this, eval, "Install", item)
    }

    fn Create<'v>(
        this: &RecipeObject,
        path: &str,
        #[starlark(default = "")] contents: &str,
        #[starlark(default = 0o644)] mode: i32,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        let item = Action::Create {
            path: path.to_owned(),
            contents: contents.to_owned(),
            mode: self::mode("Create", mode)?,
        };
        push_action(this, eval, "Create", item)
    }

    fn Symlink<'v>(
        this: &RecipeObject,
        target: &str,
        link: &str,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        let item = Action::Symlink {
            target: target.to_owned(),
            link: link.to_owned(),
        };
        push_action(this, eval, "Symlink", item)
    }

    fn Remove<'v>(
        this: &RecipeObject,
        #[starlark(args)] paths: UnpackTuple<Value<'v>>,
        #[starlark(require = named, default = false)] recursive: bool,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        let paths = strings("Remove", &paths.items)?;
        if paths.is_empty() {
            return fail("r.Remove needs at least one path".to_owned());
        }
        push_action(this, eval, "Remove", Action::Remove { paths, recursive })
    }

    fn SetModes<'v>(
        this: &RecipeObject,
        #[starlark(args)] args: UnpackTuple<Value<'v>>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        let Some((last, paths)) = args.items.split_last() else {
            return fail("r.SetModes needs paths and a mode".to_owned());
        };
        let Some(bits) = last.unpack_i32() else {
            return fail(format!(
                "r.SetModes: the last argument must be the mode (an int such as 0o755), not {}",
                last.get_type()
            ));
        };
        let paths = strings("SetModes", paths)?;
        if paths.is_empty() {
            return fail("r.SetModes needs at least one path before the mode".to_owned());
        }
        let mode = self::mode("SetModes", bits)?;
        push_action(this, eval, "SetModes", Action::SetModes { paths, mode })
    }

    fn Environment<'v>(
        this: &RecipeObject,
        name: &str,
        value: &str,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        let item = Action::Environment {
            name: name.to_owned(),
            value: value.to_owned(),
        };
        push_action(this, eval, "Environment", item)
    }

    fn ComponentSpec<'v>(
        this: &RecipeObject,
        component: &str,
        #[starlark(args)] patterns: UnpackTuple<Value<'v>>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        let component = component.strip_prefix(':').unwrap_or(component);
        if component.is_empty() || component.contains(':') {
            return fail(format!(
                "r.ComponentSpec: invalid component name '{component}'"
            ));
        }
        let item = PolicyDirective::ComponentSpec {
            component: component.to_owned(),
            patterns: self::patterns("ComponentSpec", &patterns.items)?,
        };
        push_policy(this, eval, "ComponentSpec", item)
    }

    fn Config<'v>(
        this: &RecipeObject,
        #[starlark(args)] patterns: UnpackTuple<Value<'v>>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        let patterns = self::patterns("Config", &patterns.items)?;
        push_policy(this, eval, "Config", PolicyDirective::Config { patterns })
    }

    fn InitialContents<'v>(
        this: &RecipeObject,
        #[starlark(args)] patterns: UnpackTuple<Value<'v>>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        let patterns = self::patterns("InitialContents", &patterns.items)?;
        let item = PolicyDirective::InitialContents { patterns };
        push_policy(this, eval, "InitialContents", item)
    }

    fn Transient<'v>(
        this: &RecipeObject,
        #[starlark(args)] patterns: UnpackTuple<Value<'v>>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        let patterns = self::patterns("Transient", &patterns.items)?;
        push_policy(
            this,
            eval,
            "Transient",
            PolicyDirective::Transient { patterns },
        )
    }

    fn TagSpec<'v>(
        this: &RecipeObject,
        tag: &str,
        #[starlark(args)] patterns: UnpackTuple<Value<'v>>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        let item = PolicyDirective::TagSpec {
            tag: tag.to_owned(),
            patterns: self::patterns("TagSpec", &patterns.items)?,
        };
        push_policy(this, eval, "TagSpec", item)
    }

    fn ExcludeDirectories<'v>(
        this: &RecipeObject,
        #[starlark(args)] patterns: UnpackTuple<Value<'v>>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        let patterns = self::patterns("ExcludeDirectories", &patterns.items)?;
        let item = PolicyDirective::ExcludeDirectories { patterns };
        push_policy(this, eval, "ExcludeDirectories", item)
    }

    fn Requires<'v>(
        this: &RecipeObject,
        #[starlark(args)] args: UnpackTuple<Value<'v>>,
        #[starlark(require = named, default = NoneOr::None)] exceptions: NoneOr<Value<'v>>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        let (dep, patterns) = dependency("Requires", &args.items, exceptions)?;
        push_policy(
            this,
            eval,
            "Requires",
            PolicyDirective::Requires { dep, patterns },
        )
    }

    fn Provides<'v>(
        this: &RecipeObject,
        #[starlark(args)] args: UnpackTuple<Value<'v>>,
        #[starlark(require = named, default = NoneOr::None)] exceptions: NoneOr<Value<'v>>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        let (dep, patterns) = dependency("Provides", &args.items, exceptions)?;
        push_policy(
            this,
            eval,
            "Provides",
            PolicyDirective::Provides { dep, patterns },
        )
    }

    fn Ownership<'v>(
        this: &RecipeObject,
        user: &str,
        group: &str,
        #[starlark(args)] patterns: UnpackTuple<Value<'v>>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        let item = PolicyDirective::Ownership {
            user: user.to_owned(),
            group: group.to_owned(),
            patterns: self::patterns("Ownership", &patterns.items)?,
        };
        push_policy(this, eval, "Ownership", item)
    }

    fn add<'v>(
        this: &RecipeObject,
        spec: &str,
        #[starlark(default = NoneOr::None)] versionStr: NoneOr<&str>,
        #[starlark(default = NoneOr::None)] flavor: NoneOr<&str>,
        #[starlark(default = NoneOr::None)] groupName: NoneOr<&str>,
        #[starlark(default = NoneOr::None)] byDefault: NoneOr<bool>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        let mut spec = spec.to_owned();
        if let Some(version) = versionStr.into_option() {
            spec = format!("{spec}={version}");
        }
        if let Some(flavor) = flavor.into_option() {
            spec = format!("{spec}[{flavor}]");
        }
        let item = GroupOp::Add {
            spec,
            group: optional(groupName),
            by_default: byDefault.into_option(),
        };
        push_group_op(this, eval, "add", item)
    }

    fn addAll<'v>(
        this: &RecipeObject,
        spec: &str,
        #[starlark(default = NoneOr::None)] groupName: NoneOr<&str>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        let item = GroupOp::AddAll {
            spec: spec.to_owned(),
            group: optional(groupName),
        };
        push_group_op(this, eval, "addAll", item)
    }

    fn remove<'v>(
        this: &RecipeObject,
        name: &str,
        #[starlark(default = NoneOr::None)] groupName: NoneOr<&str>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        let item = GroupOp::Remove {
            name: name.to_owned(),
            group: optional(groupName),
        };
        push_group_op(this, eval, "remove", item)
    }

    fn replace<'v>(
        this: &RecipeObject,
        name: &str,
        spec: &str,
        #[starlark(default = NoneOr::None)] groupName: NoneOr<&str>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        let item = GroupOp::Replace {
            name: name.to_owned(),
            spec: spec.to_owned(),
            group: optional(groupName),
        };
        push_group_op(this, eval, "replace", item)
    }

    fn createGroup<'v>(
        this: &RecipeObject,
        name: &str,
        #[starlark(default = true)] byDefault: bool,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        if !name.starts_with("group-") {
            return fail(format!(
                "r.createGroup: '{name}' is not a group name (it must start with 'group-')"
            ));
        }
        let item = GroupOp::CreateGroup {
            name: name.to_owned(),
            by_default: byDefault,
        };
        push_group_op(this, eval, "createGroup", item)
    }

    fn addNewGroup<'v>(
        this: &RecipeObject,
        name: &str,
        #[starlark(default = NoneOr::None)] groupName: NoneOr<&str>,
        #[starlark(default = true)] byDefault: bool,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        let item = GroupOp::AddNewGroup {
            name: name.to_owned(),
            group: optional(groupName),
            by_default: byDefault,
        };
        push_group_op(this, eval, "addNewGroup", item)
    }

    fn setSearchPath<'v>(
        this: &RecipeObject,
        #[starlark(args)] path: UnpackTuple<Value<'v>>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        let path = strings("setSearchPath", &path.items)?;
        push_group_op(this, eval, "setSearchPath", GroupOp::SetSearchPath { path })
    }

    fn setByDefault<'v>(
        this: &RecipeObject,
        byDefault: bool,
        #[starlark(default = NoneOr::None)] groupName: NoneOr<&str>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        let item = GroupOp::SetByDefault {
            by_default: byDefault,
            group: optional(groupName),
        };
        push_group_op(this, eval, "setByDefault", item)
    }

    fn requires<'v>(
        this: &RecipeObject,
        name: &str,
        #[starlark(default = NoneOr::None)] groupName: NoneOr<&str>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        let item = GroupOp::Requires {
            name: name.to_owned(),
            group: optional(groupName),
        };
        push_group_op(this, eval, "requires", item)
    }

    fn setAutoResolve<'v>(
        this: &RecipeObject,
        autoResolve: bool,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        let item = GroupOp::SetAutoResolve {
            auto_resolve: autoResolve,
        };
        push_group_op(this, eval, "setAutoResolve", item)
    }
    fn addPreInstallScript<'v>(
        this: &RecipeObject,
        #[starlark(require = named)] contents: &str,
        #[starlark(require = named, default = NoneOr::None)] groupName: NoneOr<&str>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        add_script(
            this,
            eval,
            "addPreInstallScript",
            "preInstall",
            contents,
            groupName,
        )
    }

    fn addPostInstallScript<'v>(
        this: &RecipeObject,
        #[starlark(require = named)] contents: &str,
        #[starlark(require = named, default = NoneOr::None)] groupName: NoneOr<&str>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        add_script(
            this,
            eval,
            "addPostInstallScript",
            "postInstall",
            contents,
            groupName,
        )
    }

    fn addPreUpdateScript<'v>(
        this: &RecipeObject,
        #[starlark(require = named)] contents: &str,
        #[starlark(require = named, default = NoneOr::None)] groupName: NoneOr<&str>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        add_script(
            this,
            eval,
            "addPreUpdateScript",
            "preUpdate",
            contents,
            groupName,
        )
    }

    fn addPostUpdateScript<'v>(
        this: &RecipeObject,
        #[starlark(require = named)] contents: &str,
        #[starlark(require = named, default = NoneOr::None)] groupName: NoneOr<&str>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        add_script(
            this,
            eval,
            "addPostUpdateScript",
            "postUpdate",
            contents,
            groupName,
        )
    }

    fn addPreEraseScript<'v>(
        this: &RecipeObject,
        #[starlark(require = named)] contents: &str,
        #[starlark(require = named, default = NoneOr::None)] groupName: NoneOr<&str>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        add_script(
            this,
            eval,
            "addPreEraseScript",
            "preErase",
            contents,
            groupName,
        )
    }

    fn addPostEraseScript<'v>(
        this: &RecipeObject,
        #[starlark(require = named)] contents: &str,
        #[starlark(require = named, default = NoneOr::None)] groupName: NoneOr<&str>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        add_script(
            this,
            eval,
            "addPostEraseScript",
            "postErase",
            contents,
            groupName,
        )
    }

    fn addPreRollbackScript<'v>(
        this: &RecipeObject,
        #[starlark(require = named)] contents: &str,
        #[starlark(require = named, default = NoneOr::None)] groupName: NoneOr<&str>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        add_script(
            this,
            eval,
            "addPreRollbackScript",
            "preRollback",
            contents,
            groupName,
        )
    }

    fn addPostRollbackScript<'v>(
        this: &RecipeObject,
        #[starlark(require = named)] contents: &str,
        #[starlark(require = named, default = NoneOr::None)] groupName: NoneOr<&str>,
        #[starlark(require = named, default = NoneOr::None)] toClass: NoneOr<Value<'v>>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        let to_class = match toClass {
            NoneOr::None => Vec::new(),
            NoneOr::Other(value) => to_classes(value)?,
        };
        add_script_to(
            this,
            eval,
            "addPostRollbackScript",
            "postRollback",
            contents,
            groupName,
            to_class,
        )
    }

    fn setCompatibilityClass<'v>(
        this: &RecipeObject,
        class: u32,
        #[starlark(require = named, default = NoneOr::None)] groupName: NoneOr<&str>,
        eval: &mut Evaluator<'v, '_, '_>,
    ) -> starlark::Result<NoneType> {
        let Ok(class) = u16::try_from(class) else {
            return fail(format!(
                "compatibility class {class} is out of range (0 to 65535)"
            ));
        };
        let item = GroupOp::SetCompatibilityClass {
            class,
            group: optional(groupName),
        };
        push_group_op(this, eval, "setCompatibilityClass", item)
    }
}

/// `Requires`/`Provides` arguments: `(DEP, PATTERN…)` or
/// `(exceptions=PATTERN)`.
fn dependency(
    method: &str,
    args: &[Value],
    exceptions: NoneOr<Value>,
) -> starlark::Result<(Option<String>, Vec<String>)> {
    if let Some(exceptions) = exceptions.into_option() {
        if !args.is_empty() {
            return fail(format!(
                "r.{method}: give either a dependency and patterns or exceptions=, not both"
            ));
        }
        return Ok((None, patterns(method, &[exceptions])?));
    }
    let Some((dep, rest)) = args.split_first() else {
        return fail(format!(
            "r.{method} needs a dependency and at least one pattern, or exceptions="
        ));
    };
    let Some(dep) = dep.unpack_str() else {
        return fail(format!(
            "r.{method}: the dependency must be a string, not {}",
            dep.get_type()
        ));
    };
    Ok((Some(dep.to_owned()), patterns(method, rest)?))
}
