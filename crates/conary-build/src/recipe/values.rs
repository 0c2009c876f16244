//! The Starlark values a recipe sees: `r` (a [`RecipeObject`]), `use`
//! (a [`UseObject`]) and `r.macros` (a [`MacrosObject`]).
//!
//! All three share one [`Collector`]: every call on `r` and every read of
//! `use.FLAG` is recorded there, and [`super::eval`] turns it into the
//! [`super::model::Recipe`] once `setup(r)` returns. The methods of `r`
//! are in [`super::methods`].

// The `ProvidesStaticType` derive implements an unsafe marker trait (a
// type id for a type without lifetimes), which is sound for these 'static
// types; the lint cannot be allowed on the derived impl alone. Nothing
// else in this file is unsafe.
#![allow(unsafe_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use allocative::Allocative;
use starlark::environment::Methods;
use starlark::starlark_simple_value;
use starlark::values::{
    Heap, NoSerialize, ProvidesStaticType, StarlarkValue, Value, starlark_value,
};

use super::model::{Action, GroupOp, Located, PolicyDirective, RecipeKind};

/// What a recipe's evaluation collects, in call order.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    pub(crate) actions: Vec<Located<Action>>,
    pub(crate) policy: Vec<Located<PolicyDirective>>,
    pub(crate) group_ops: Vec<Located<GroupOp>>,
    pub(crate) macros: BTreeMap<String, String>,
    pub(crate) use_flags: BTreeMap<String, bool>,
}

/// The state shared by `r`, `use` and `r.macros` during one evaluation.
#[derive(Debug)]
pub(crate) struct Collector {
    /// The use flags that are on in the flavor being cooked.
    on_flags: BTreeSet<String>,
    collected: Mutex<Collected>,
}

impl Collector {
    pub(crate) fn new(on_flags: BTreeSet<String>) -> Collector {
        Collector {
            on_flags,
            collected: Mutex::new(Collected::default()),
        }
    }

    /// The collected items; a poisoned lock (a panic elsewhere) still
    /// yields them, since each push is complete.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Collected> {
        self.collected
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Takes what was collected, leaving the collector empty.
    pub(crate) fn take(&self) -> Collected {
        std::mem::take(&mut *self.lock())
    }

    fn read_flag(&self, flag: &str) -> bool {
        let value = self.on_flags.contains(flag);
        self.lock().use_flags.insert(flag.to_owned(), value);
        value
    }
}

/// `r`: the recipe object passed to `setup(r)`.
#[derive(Debug, ProvidesStaticType, NoSerialize, Allocative)]
pub(crate) struct RecipeObject {
    /// The package's (or group's) name.
    pub(crate) name: String,
    /// The upstream version.
    pub(crate) version: String,
    /// The files of the source trove besides the recipe.
    pub(crate) sources: Vec<String>,
    /// What the recipe cooks: decides which calls on `r` are allowed.
    #[allocative(skip)]
    pub(crate) kind: RecipeKind,
    #[allocative(skip)]
    pub(crate) collector: Arc<Collector>,
}

starlark_simple_value!(RecipeObject);

impl fmt::Display for RecipeObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<recipe {}={}>", self.name, self.version)
    }
}

#[starlark_value(type = "recipe")]
impl<'v> StarlarkValue<'v> for RecipeObject {
    fn get_methods() -> Option<&'static Methods> {
        super::methods::recipe_methods()
    }
}

/// `use`: each attribute is a use flag, true when the flavor being cooked
/// has it on; every read is recorded.
#[derive(Debug, ProvidesStaticType, NoSerialize, Allocative)]
pub(crate) struct UseObject {
    #[allocative(skip)]
    pub(crate) collector: Arc<Collector>,
}

starlark_simple_value!(UseObject);

impl fmt::Display for UseObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<use flags>")
    }
}

#[starlark_value(type = "use")]
impl<'v> StarlarkValue<'v> for UseObject {
    fn get_attr(&self, attribute: &str, _heap: Heap<'v>) -> Option<Value<'v>> {
        Some(Value::new_bool(self.collector.read_flag(attribute)))
    }

    fn has_attr(&self, _attribute: &str, _heap: Heap<'v>) -> bool {
        true
    }
}

/// `r.macros`: `r.macros.NAME = "value"` sets a macro, `r.macros.NAME`
/// reads one the recipe set.
#[derive(Debug, ProvidesStaticType, NoSerialize, Allocative)]
pub(crate) struct MacrosObject {
    #[allocative(skip)]
    pub(crate) collector: Arc<Collector>,
}

starlark_simple_value!(MacrosObject);

impl fmt::Display for MacrosObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<macros>")
    }
}

#[starlark_value(type = "macros")]
impl<'v> StarlarkValue<'v> for MacrosObject {
    fn get_attr(&self, attribute: &str, heap: Heap<'v>) -> Option<Value<'v>> {
        let value = self.collector.lock().macros.get(attribute).cloned()?;
        Some(heap.alloc(value))
    }

    fn dir_attr(&self) -> Vec<String> {
        self.collector.lock().macros.keys().cloned().collect()
    }

    fn set_attr(&self, attribute: &str, new_value: Value<'v>) -> starlark::Result<()> {
        let Some(value) = new_value.unpack_str() else {
            return Err(starlark::Error::new_native(MacroError {
                name: attribute.to_owned(),
                type_name: new_value.get_type(),
            }));
        };
        self.collector
            .lock()
            .macros
            .insert(attribute.to_owned(), value.to_owned());
        Ok(())
    }
}

/// A macro set to something other than a string.
#[derive(Debug, thiserror::Error)]
#[error("macro '{name}' must be a string, not {type_name}")]
pub(crate) struct MacroError {
    pub(crate) name: String,
    pub(crate) type_name: &'static str,
}
