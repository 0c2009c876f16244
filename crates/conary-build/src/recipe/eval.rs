//! Evaluation of a recipe file: parse, run the top level, read `name`,
//! `version`, `build_requires` and `factory`, then call `setup(r)`.
//!
//! Nothing here reads the clock, the environment or the filesystem: the
//! globals are Starlark's standard ones plus `use` and `arch`, and there
//! is no `load`. The same text and context always give the same recipe.

use std::collections::BTreeSet;
use std::sync::Arc;

use conary_core::flavor::{Sense, major_arch};
use conary_core::name::TroveName;
use conary_core::version::{Revision, SerialNumber};
use starlark::environment::{Globals, Module};
use starlark::eval::Evaluator;
use starlark::syntax::ast::{AssignTargetP, AstExpr, AstStmt, ExprP, StmtP};
use starlark::syntax::{AstModule, Dialect};
use starlark::values::Value;
use starlark::values::list::ListRef;

use super::error::{RecipeError, from_parse_error, from_starlark, location_of, start_of};
use super::limits;
use super::model::{Location, Recipe, RecipeKind};
use super::values::{Collector, RecipeObject, UseObject};
use super::{RecipeContext, RecipeMetadata};

/// The most steps (function calls and loop iterations) an evaluation may
/// take: a recipe that loops for ever fails instead of holding the cook.
/// Counted, not timed, so the limit is deterministic.
pub const MAX_RECIPE_STEPS: u64 = 1_000_000;

/// The most memory the Starlark heap of an evaluation may use (checked
/// from time to time, as Starlark does).
const MAX_HEAP_BYTES: usize = 512 << 20;

/// The Starlark dialect of recipes: standard, with f-strings and
/// statements (`if use.ssl:`) at top level.
fn dialect() -> Dialect {
    Dialect {
        enable_top_level_stmt: true,
        enable_f_strings: true,
        ..Dialect::Standard
    }
}

/// A parsed recipe file, with what is known about it before running it.
struct Parsed {
    ast: AstModule,
    info: ParsedInfo,
}

/// What is known of a recipe file from its syntax.
struct ParsedInfo {
    file: String,
    /// Whether the code mentions the global `arch`.
    reads_arch: bool,
    /// Places of the top-level assignments, for messages.
    assignments: Vec<(String, Location)>,
}

impl Parsed {
    fn parse(file: &str, text: &str) -> Result<Parsed, RecipeError> {
        limits::check_text(file, text)?;
        let ast = AstModule::parse(file, text.to_owned(), &dialect())
            .map_err(|error| from_parse_error(file, &error))?;
        limits::check_tree(&ast)?;
        if let Some(span) = first_load(ast.statement()) {
            return Err(RecipeError::Load {
                at: location_of(&ast.file_span(span)),
            });
        }
        let reads_arch = stmt_mentions(ast.statement(), "arch");
        let mut assignments = Vec::new();
        top_level_assignments(ast.statement(), &mut |name, span| {
            assignments.push((name.to_owned(), location_of(&ast.file_span(span))));
        });
        Ok(Parsed {
            ast,
            info: ParsedInfo {
                file: file.to_owned(),
                reads_arch,
                assignments,
            },
        })
    }
}

impl ParsedInfo {
    /// Where `variable` is first assigned at top level, or the file start.
    fn place_of(&self, variable: &str) -> Location {
        self.assignments
            .iter()
            .find(|(name, _)| name == variable)
            .map(|(_, at)| at.clone())
            .unwrap_or_else(|| start_of(&self.file))
    }
}

fn first_load(stmt: &AstStmt) -> Option<starlark::codemap::Span> {
    match &stmt.node {
        StmtP::Load(_) => Some(stmt.span),
        StmtP::Statements(stmts) => stmts.iter().find_map(first_load),
        _ => None,
    }
}

fn top_level_assignments(stmt: &AstStmt, found: &mut impl FnMut(&str, starlark::codemap::Span)) {
    match &stmt.node {
        StmtP::Assign(assign) => {
            if let AssignTargetP::Identifier(ident) = &assign.lhs.node {
                found(&ident.node.ident, stmt.span);
            }
        }
        StmtP::Def(def) => found(&def.name.node.ident, stmt.span),
        StmtP::Statements(stmts) => {
            for stmt in stmts {
                top_level_assignments(stmt, found);
            }
        }
        _ => {}
    }
}

/// Whether an identifier `name` is read anywhere in `stmt`.
fn stmt_mentions(stmt: &AstStmt, name: &str) -> bool {
    let mut found = false;
    stmt.visit_expr(|expr| found = found || expr_mentions(expr, name));
    found
}

fn expr_mentions(expr: &AstExpr, name: &str) -> bool {
    if let ExprP::Identifier(ident) = &expr.node
        && ident.node.ident == name
    {
        return true;
    }
    let mut found = false;
    expr.visit_expr(|child| found = found || expr_mentions(child, name));
    found
}

/// The top-level variables of a recipe.
struct TopLevel {
    name: String,
    version: String,
    build_requires: Vec<String>,
    factory: Option<String>,
    derived: bool,
}

fn string_variable(
    parsed: &ParsedInfo,
    module: &Module,
    variable: &'static str,
) -> Result<Option<String>, RecipeError> {
    let Some(value) = module.get(variable) else {
        return Ok(None);
    };
    match value.unpack_str() {
        Some(text) => Ok(Some(text.to_owned())),
        None => Err(RecipeError::BadVariable {
            at: parsed.place_of(variable),
            variable,
            problem: format!("must be a string, not {}", value.get_type()),
        }),
    }
}

fn read_top_level(parsed: &ParsedInfo, module: &Module) -> Result<TopLevel, RecipeError> {
    let missing = |variable| RecipeError::Missing {
        at: start_of(&parsed.file),
        variable,
    };
    let name = string_variable(parsed, module, "name")?.ok_or_else(|| missing("name"))?;
    let bad = |variable, problem: String| RecipeError::BadVariable {
        at: parsed.place_of(variable),
        variable,
        problem,
    };
    match TroveName::new(&name) {
        Ok(trove) if trove.is_component() => {
            return Err(bad(
                "name",
                format!("'{name}' names a component; a recipe cooks a package or a group"),
            ));
        }
        Ok(_) => {}
        Err(error) => return Err(bad("name", error.to_string())),
    }
    let version = string_variable(parsed, module, "version")?.ok_or_else(|| missing("version"))?;
    if let Err(error) = Revision::new(&version, SerialNumber::single(1), None) {
        return Err(bad("version", error.to_string()));
    }
    let factory = string_variable(parsed, module, "factory")?;
    if let Some(factory) = &factory
        && !factory.starts_with("factory-")
    {
        return Err(bad(
            "factory",
            format!("'{factory}' is not a factory name (it must start with 'factory-')"),
        ));
    }
    let build_requires = match module.get("build_requires") {
        None => Vec::new(),
        Some(value) => string_list(value)
            .ok_or_else(|| bad("build_requires", "must be a list of strings".to_owned()))?,
    };
    let derived = match module.get("derived") {
        None => false,
        Some(value) => value
            .unpack_bool()
            .ok_or_else(|| bad("derived", "must be True or False".to_owned()))?,
    };
    Ok(TopLevel {
        name,
        version,
        build_requires,
        factory,
        derived,
    })
}

fn string_list(value: Value) -> Option<Vec<String>> {
    ListRef::from_value(value)?
        .content()
        .iter()
        .map(|item| item.unpack_str().map(str::to_owned))
        .collect()
}

/// The kind of trove a recipe named `name` cooks.
pub(crate) fn kind_of(name: &str) -> RecipeKind {
    if name.starts_with("group-") {
        RecipeKind::Group
    } else if name.starts_with("factory-") {
        RecipeKind::Factory
    } else {
        RecipeKind::Package
    }
}

/// The use flags on in `ctx`'s flavor (required or preferred).
fn on_flags(ctx: &RecipeContext) -> BTreeSet<String> {
    ctx.flavor
        .use_flags()
        .filter(|(_, sense)| matches!(sense, Sense::Required | Sense::Preferred))
        .map(|(name, _)| name.to_owned())
        .collect()
}

/// The instruction set `arch` holds: the flavor's major one, or "".
fn arch_of(ctx: &RecipeContext) -> String {
    match major_arch(&ctx.flavor) {
        Ok(Some(arch)) => arch.to_owned(),
        _ => ctx
            .flavor
            .instruction_sets()
            .next()
            .unwrap_or_default()
            .to_owned(),
    }
}

/// What one evaluation shares between its modules.
struct Session {
    collector: Arc<Collector>,
    arch: String,
    globals: Globals,
}

impl Session {
    fn new(ctx: &RecipeContext) -> Session {
        Session {
            collector: Arc::new(Collector::new(on_flags(ctx))),
            arch: arch_of(ctx),
            globals: Globals::standard(),
        }
    }

    /// Runs the top level of `parsed`, then its `setup(r)` as `setup`
    /// says. Returns the top-level variables and whether there is a setup.
    fn run(&self, parsed: Parsed, setup: Setup) -> Result<(TopLevel, bool), RecipeError> {
        let Parsed { ast, info } = parsed;
        let file = info.file.as_str();
        Module::with_temp_heap(|module| {
            let heap = module.heap();
            module.set(
                "use",
                heap.alloc(UseObject {
                    collector: self.collector.clone(),
                }),
            );
            module.set("arch", heap.alloc(self.arch.as_str()));
            let mut eval = Evaluator::new(&module);
            // Both setters fail only for 0 or when set twice; neither happens.
            let _ = eval.set_max_tick_count(MAX_RECIPE_STEPS);
            let _ = eval.set_max_heap_size(MAX_HEAP_BYTES);
            eval.eval_module(ast, &self.globals)
                .map_err(|error| from_starlark(file, &error))?;
            let top = read_top_level(&info, &module)?;
            if let Setup::For { parts, factory } = &setup
                && top.name != *factory
            {
                return Err(RecipeError::BadVariable {
                    at: info.place_of("name"),
                    variable: "name",
                    problem: format!(
                        "is '{}', but the recipe {} names factory '{factory}'",
                        top.name, parts.file
                    ),
                });
            }
            let Some(function) = module.get("setup") else {
                return Ok((top, false));
            };
            if function.get_type() != "function" {
                return Err(RecipeError::BadVariable {
                    at: info.place_of("setup"),
                    variable: "setup",
                    problem: format!("must be a function, not {}", function.get_type()),
                });
            }
            let parts = match setup {
                Setup::Skip => return Ok((top, true)),
                Setup::Own { sources } => RecipeObjectParts {
                    file: file.to_owned(),
                    kind: kind_of(&top.name),
                    name: top.name.clone(),
                    version: top.version.clone(),
                    sources,
                },
                Setup::For { parts, .. } => parts,
            };
            let recipe = heap.alloc(RecipeObject {
                name: parts.name,
                version: parts.version,
                sources: parts.sources,
                kind: parts.kind,
                collector: self.collector.clone(),
            });
            eval.eval_function(function, &[recipe], &[])
                .map_err(|error| match from_starlark(file, &error) {
                    // Calling setup itself failed (it takes no `r`, or more).
                    RecipeError::EvaluationInFile { message, .. } => RecipeError::Evaluation {
                        at: info.place_of("setup"),
                        message,
                    },
                    located => located,
                })?;
            Ok((top, true))
        })
    }
}

/// Whether and for whom [`Session::run`] calls `setup(r)`.
enum Setup {
    /// Only the top level.
    Skip,
    /// The recipe's own setup, `r` being the recipe itself.
    Own {
        /// The source trove's other files.
        sources: Vec<String>,
    },
    /// A factory's setup, `r` being the package it cooks.
    For {
        /// The package.
        parts: RecipeObjectParts,
        /// The factory the package names, which the module must be.
        factory: String,
    },
}

/// What `r` is made of.
struct RecipeObjectParts {
    /// The recipe file of the package, for messages.
    file: String,
    name: String,
    version: String,
    sources: Vec<String>,
    kind: RecipeKind,
}

fn assemble(file: &str, top: TopLevel, reads_arch: bool, collector: &Collector) -> Recipe {
    let collected = collector.take();
    Recipe {
        file: file.to_owned(),
        kind: kind_of(&top.name),
        name: top.name,
        version: top.version,
        build_requires: top.build_requires,
        factory: top.factory,
        use_flags: collected.use_flags,
        reads_arch,
        macros: collected.macros,
        actions: collected.actions,
        policy: collected.policy,
        group_ops: collected.group_ops,
    }
}

/// See [`super::evaluate`].
pub(crate) fn evaluate(file: &str, text: &str, ctx: &RecipeContext) -> Result<Recipe, RecipeError> {
    let parsed = Parsed::parse(file, text)?;
    let reads_arch = parsed.info.reads_arch;
    let session = Session::new(ctx);
    let setup = Setup::Own {
        sources: ctx.source_files.clone(),
    };
    let (top, has_setup) = session.run(parsed, setup)?;
    if !has_setup && top.factory.is_none() {
        return Err(RecipeError::MissingSetup { at: start_of(file) });
    }
    Ok(assemble(file, top, reads_arch, &session.collector))
}

/// See [`super::evaluate_metadata`].
pub(crate) fn evaluate_metadata(file: &str, text: &str) -> Result<RecipeMetadata, RecipeError> {
    let session = Session::new(&RecipeContext::default());
    let (top, _) = session.run(Parsed::parse(file, text)?, Setup::Skip)?;
    Ok(RecipeMetadata {
        name: top.name,
        version: top.version,
        factory: top.factory,
        derived: top.derived,
    })
}

/// See [`super::evaluate_with_factory`].
pub(crate) fn evaluate_with_factory(
    file: &str,
    text: &str,
    factory_file: &str,
    factory_text: &str,
    ctx: &RecipeContext,
) -> Result<Recipe, RecipeError> {
    let package = Parsed::parse(file, text)?;
    let factory = Parsed::parse(factory_file, factory_text)?;
    let reads_arch = package.info.reads_arch || factory.info.reads_arch;
    let session = Session::new(ctx);
    let (top, has_setup) = session.run(package, Setup::Skip)?;
    if has_setup {
        // The package cooks itself; its factory only names where it came from.
        return evaluate(file, text, ctx);
    }
    let Some(wanted) = top.factory.clone() else {
        return Err(RecipeError::MissingSetup { at: start_of(file) });
    };
    let parts = RecipeObjectParts {
        file: file.to_owned(),
        kind: kind_of(&top.name),
        name: top.name.clone(),
        version: top.version.clone(),
        sources: ctx.source_files.clone(),
    };
    let setup = Setup::For {
        parts,
        factory: wanted,
    };
    let (factory_top, factory_has_setup) = session.run(factory, setup)?;
    if !factory_has_setup {
        return Err(RecipeError::MissingSetup {
            at: start_of(factory_file),
        });
    }
    let mut top = top;
    for requirement in factory_top.build_requires {
        if !top.build_requires.contains(&requirement) {
            top.build_requires.push(requirement);
        }
    }
    Ok(assemble(file, top, reads_arch, &session.collector))
}
