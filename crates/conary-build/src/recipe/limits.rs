//! Bounds on recipe text that keep evaluation safe on any input.
//!
//! The Starlark parser, its compiler and our own checks recurse over the
//! syntax tree, so a hostile or broken recipe nested thousands deep
//! (`((((…))))`, `not not not …`, `1 + 1 + … + 1`) would overflow the
//! stack: an abort, not an error. Two checks stop that before it happens:
//! [`check_text`] before parsing (size, bracket depth, operators in one
//! statement: what the parser recurses on), and [`check_tree`] after it
//! (the depth of the tree, without recursion). Real recipes are far below
//! every bound.

use starlark::codemap::Span;
use starlark::syntax::AstModule;
use starlark::syntax::ast::{AstExpr, AstStmt, StmtP};

use super::error::{RecipeError, location_of};
use super::model::Location;

/// The largest recipe text evaluated: recipes are small, and a bound keeps
/// a hostile file from holding the cook.
pub const MAX_RECIPE_BYTES: usize = 1 << 20;

/// The deepest nesting of brackets, and of the syntax tree (statements
/// inside statements, expressions inside expressions).
pub const MAX_NESTING: usize = 200;

/// The most operators (and bracket openings) one logical line may hold.
const MAX_LINE_OPERATORS: usize = 5_000;

/// Checks the size of `text` and what its parse would recurse on.
pub(crate) fn check_text(file: &str, text: &str) -> Result<(), RecipeError> {
    if text.len() > MAX_RECIPE_BYTES {
        return Err(RecipeError::TooLarge {
            file: file.to_owned(),
            size: text.len(),
            limit: MAX_RECIPE_BYTES,
        });
    }
    let mut scan = Scan::default();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let (line, column) = (scan.line, scan.column);
        scan.advance(c);
        let too_deep = |problem: String| RecipeError::TooComplex {
            at: Location {
                file: file.to_owned(),
                line,
                column,
            },
            problem,
        };
        match c {
            '#' => while chars.next_if(|&next| next != '\n').is_some() {},
            '\'' | '"' => scan.skip_string(c, &mut chars),
            '(' | '[' | '{' => {
                scan.depth += 1;
                scan.operators += 1;
                if scan.depth > MAX_NESTING {
                    return Err(too_deep(format!(
                        "brackets nested more than {MAX_NESTING} deep"
                    )));
                }
            }
            ')' | ']' | '}' => scan.depth = scan.depth.saturating_sub(1),
            '\n' if scan.depth == 0 && !scan.continued => scan.operators = 0,
            _ if "+-*/%|&^<>=~.!".contains(c) => scan.operators += 1,
            _ if c.is_alphabetic() || c == '_' => {
                let mut word = String::from(c);
                while let Some(next) = chars.next_if(|&n| n.is_alphanumeric() || n == '_') {
                    scan.advance(next);
                    word.push(next);
                }
                if matches!(
                    word.as_str(),
                    "not" | "and" | "or" | "if" | "else" | "lambda" | "for" | "in"
                ) {
                    scan.operators += 1;
                }
            }
            _ => {}
        }
        scan.continued = c == '\\';
        if scan.operators > MAX_LINE_OPERATORS {
            return Err(too_deep(format!(
                "more than {MAX_LINE_OPERATORS} operators in one statement"
            )));
        }
    }
    Ok(())
}

/// Where a lexical scan is.
struct Scan {
    line: u32,
    column: u32,
    depth: usize,
    operators: usize,
    /// The last character was a `\` (a line continuation before `\n`).
    continued: bool,
}

impl Default for Scan {
    fn default() -> Scan {
        Scan {
            line: 1,
            column: 1,
            depth: 0,
            operators: 0,
            continued: false,
        }
    }
}

impl Scan {
    fn advance(&mut self, c: char) {
        if c == '\n' {
            self.line = self.line.saturating_add(1);
            self.column = 1;
        } else {
            self.column = self.column.saturating_add(1);
        }
    }

    /// Skips a string literal opened by `quote` (triple-quoted when two
    /// more follow). A one-line string ends at the end of its line.
    fn skip_string(&mut self, quote: char, chars: &mut std::iter::Peekable<std::str::Chars>) {
        let mut triple = false;
        if chars.peek() == Some(&quote) {
            chars.next();
            self.advance(quote);
            if chars.peek() == Some(&quote) {
                chars.next();
                self.advance(quote);
                triple = true;
            } else {
                return; // The empty string.
            }
        }
        let mut closing = 0;
        while let Some(c) = chars.next() {
            self.advance(c);
            match c {
                '\\' => {
                    if let Some(escaped) = chars.next() {
                        self.advance(escaped);
                    }
                    closing = 0;
                }
                '\n' if !triple => return,
                _ if c == quote => {
                    closing += 1;
                    if !triple || closing == 3 {
                        return;
                    }
                }
                _ => closing = 0,
            }
        }
    }
}

/// A node of the syntax tree, for the walk of [`check_tree`].
enum Node<'a> {
    Stmt(&'a AstStmt),
    Expr(&'a AstExpr),
}

/// Checks the depth of the syntax tree with an explicit stack, so that
/// the recursive passes after it (ours and Starlark's compiler) are safe.
pub(crate) fn check_tree(ast: &AstModule) -> Result<(), RecipeError> {
    let mut stack = vec![(Node::Stmt(ast.statement()), 0usize)];
    while let Some((node, depth)) = stack.pop() {
        let span: Span = match &node {
            Node::Stmt(stmt) => stmt.span,
            Node::Expr(expr) => expr.span,
        };
        if depth > MAX_NESTING {
            return Err(RecipeError::TooComplex {
                at: location_of(&ast.file_span(span)),
                problem: format!("code nested more than {MAX_NESTING} deep"),
            });
        }
        let below = depth + 1;
        match node {
            Node::Expr(expr) => expr.visit_expr(|child| stack.push((Node::Expr(child), below))),
            Node::Stmt(stmt) => {
                let mut expr = |child| stack.push((Node::Expr(child), below));
                match &stmt.node {
                    StmtP::Statements(stmts) => {
                        // A block is not a level of its own.
                        stack.extend(stmts.iter().map(|child| (Node::Stmt(child), depth)));
                    }
                    StmtP::If(condition, body) => {
                        expr(condition);
                        stack.push((Node::Stmt(body), below));
                    }
                    StmtP::IfElse(condition, bodies) => {
                        expr(condition);
                        stack.push((Node::Stmt(&bodies.0), below));
                        stack.push((Node::Stmt(&bodies.1), below));
                    }
                    StmtP::For(for_) => {
                        for_.var.visit_expr(&mut expr);
                        expr(&for_.over);
                        stack.push((Node::Stmt(&for_.body), below));
                    }
                    StmtP::Def(def) => {
                        for param in &def.params {
                            param.visit_expr(&mut expr);
                        }
                        if let Some(return_type) = &def.return_type {
                            expr(&return_type.expr);
                        }
                        stack.push((Node::Stmt(&def.body), below));
                    }
                    StmtP::Return(value) => value.iter().for_each(expr),
                    StmtP::Expression(value) => expr(value),
                    StmtP::Assign(assign) => {
                        assign.lhs.visit_expr(&mut expr);
                        if let Some(ty) = &assign.ty {
                            expr(&ty.expr);
                        }
                        expr(&assign.rhs);
                    }
                    StmtP::AssignModify(target, _, value) => {
                        target.visit_expr(&mut expr);
                        expr(value);
                    }
                    StmtP::Break | StmtP::Continue | StmtP::Pass | StmtP::Load(_) => {}
                }
            }
        }
    }
    Ok(())
}
