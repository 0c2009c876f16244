//! Unit tests of the model's text: parse and format tables, errors, the
//! round trip, and evaluation.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;

const LABEL: &str = "conary.example.com@deb:12";

#[test]
fn valid_models_read_back_byte_for_byte() {
    let cases = [
        "",
        "\n",
        "\n\n",
        "search conary.example.com@deb:12",
        "# a comment\n\n   # indented comment\nsearch conary.example.com@deb:12\n",
        "search conary.example.com@deb:12\r\ninstall sudo\r\n",
        "version 1.0\nsearch conary.example.com@deb:12\ninstall   sudo  tzdata   # two\n",
        "install 'kernel[smp is: x86_64]' \"foo\"\n",
        "update sudo=1.9-1-1 nginx-common==conary.example.com@deb:12/1.22-1-1\n",
        "erase tzdata\noffer libssl3\npatch group-errata\ninclude group-base\n",
        "\tinstall\tsudo\t\n",
    ];
    for text in cases {
        let model = SystemModel::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(model.format(), text, "round trip of {text:?}");
    }
}

#[test]
fn statements_are_read() {
    let model = SystemModel::parse(
        "search conary.example.com@deb:12\ninstall sudo 'foo[is: x86_64]'\nerase tzdata==1.0\nversion 2\n",
    )
    .expect("valid");
    let statements: Vec<&Statement> = model.statements().collect();
    assert_eq!(statements.len(), 4);
    assert!(
        matches!(statements[0], Statement::Search(SearchItem::Label(l)) if l.to_string() == LABEL)
    );
    let Statement::Troves { verb, specs } = statements[1] else {
        panic!("a trove statement: {:?}", statements[1]);
    };
    assert_eq!(*verb, TroveVerb::Install);
    assert_eq!(
        specs[1].spec().flavor().map(ToString::to_string).as_deref(),
        Some("is: x86_64")
    );
    let Statement::Troves { specs, .. } = statements[2] else {
        panic!("a trove statement");
    };
    assert!(specs[0].held());
    assert_eq!(specs[0].spec().to_string(), "tzdata=1.0");
    assert_eq!(*statements[3], Statement::Version("2".to_owned()));
}

#[test]
fn errors_name_the_line() {
    let cases = [
        (
            "frobnicate sudo\n",
            "system-model:1: unknown statement 'frobnicate'",
        ),
        (
            "# ok\ninstall\n",
            "system-model:2: 'install' needs at least one trove spec",
        ),
        (
            "search\n",
            "system-model:1: 'search' needs a label or trove spec",
        ),
        (
            "search a@b:c d@e:f\n",
            "system-model:1: 'search' takes one argument only",
        ),
        (
            "version 1\nversion 2\n",
            "system-model:2: a second 'version' line (the first is line 1)",
        ),
        ("install 'sudo\n", "system-model:1: unterminated ' quote"),
        (
            "install sudo==\n",
            "system-model:1: invalid trove spec 'sudo=='",
        ),
        (
            "install sudo==1==2\n",
            "system-model:1: invalid trove spec 'sudo==1==2': more than one '=='",
        ),
        (
            "\n\ninstall foo=1.0--2.0\n",
            "system-model:3: invalid trove spec",
        ),
        ("include\n", "system-model:1: 'include' needs a trove spec"),
    ];
    for (text, expected) in cases {
        let error = SystemModel::parse(text).expect_err(text).to_string();
        assert!(error.starts_with(expected), "{text:?}: {error}");
    }
}

#[test]
fn appended_lines_are_quoted_where_needed() {
    let mut model =
        SystemModel::parse("# keep me\nsearch conary.example.com@deb:12").expect("valid");
    model.append(
        TroveVerb::Install,
        vec!["foo[is: x86_64]".parse().expect("spec")],
    );
    model.append(TroveVerb::Erase, Vec::new());
    model.append(TroveVerb::Erase, vec!["bar".parse().expect("spec")]);
    let text = model.format();
    assert_eq!(
        text,
        "# keep me\nsearch conary.example.com@deb:12\ninstall 'foo[is: x86_64]'\nerase bar"
    );
    assert_eq!(SystemModel::parse(&text).expect("valid").format(), text);
}

#[test]
fn updateall_moves_equals_and_keeps_double_equals() {
    let text = "search conary.example.com@deb:12\ninstall sudo=1.0-1-1 tzdata==2.0-1-1 # held\n# note\nupdate libssl3=3.0-1-1\nerase foo=1.0\n";
    let mut model = SystemModel::parse(text).expect("valid");
    let moved = model
        .move_versions(|spec| {
            Ok((spec.spec().name().as_str() == "sudo").then(|| "1.1-1-1".to_owned()))
        })
        .expect("moved");
    assert_eq!(moved, 1);
    assert_eq!(
        model.format(),
        "search conary.example.com@deb:12\ninstall sudo=1.1-1-1 tzdata==2.0-1-1\n# note\nupdate libssl3=3.0-1-1\nerase foo=1.0\n"
    );
}

#[test]
fn evaluation_follows_the_statements_in_order() {
    let model = SystemModel::parse(
        "search a.example.com@x:1\nsearch b.example.com@x:1\ninstall sudo tzdata nginx-common\nupdate sudo=2.0\nerase tzdata\nerase sudo:doc\npatch nginx-common=1.1 absent\noffer libssl3=c.example.com@x:1\n",
    )
    .expect("valid");
    let evaluation = model.evaluate().expect("evaluates");
    let labels: Vec<String> = evaluation
        .label_path
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        labels,
        [
            "b.example.com@x:1",
            "a.example.com@x:1",
            "c.example.com@x:1"
        ]
    );
    let wanted: Vec<String> = evaluation.wanted.iter().map(ToString::to_string).collect();
    assert_eq!(wanted, ["sudo=2.0", "nginx-common=1.1"]);
    let erased: Vec<String> = evaluation.erased.iter().map(ToString::to_string).collect();
    assert_eq!(erased, ["sudo:doc"]);
    assert_eq!(evaluation.offered.len(), 1);
}

#[test]
fn troves_without_a_repository_and_empty_models_are_refused_at_evaluation() {
    let include =
        SystemModel::parse("search a.example.com@x:1\ninclude group-base\n").expect("valid");
    assert_eq!(
        include.evaluate().expect_err("include").to_string(),
        "system-model:2: include group-base: reading the model a trove holds needs a repository"
    );
    let group = SystemModel::parse("search group-os=a.example.com@x:1\n").expect("valid");
    assert_eq!(
        group.evaluate().expect_err("group").to_string(),
        "system-model:1: search group-os=a.example.com@x:1: searching a trove needs a repository"
    );
    let none = SystemModel::parse("install sudo\n").expect("valid");
    assert!(matches!(none.evaluate(), Err(ModelError::NoSearchPath)));
}

/// Models held by troves, by name; the label path each lookup saw.
struct FakeLoader {
    models: BTreeMap<&'static str, &'static str>,
    seen: std::cell::RefCell<Vec<(String, Vec<String>)>>,
}

impl FakeLoader {
    fn new(models: &[(&'static str, &'static str)]) -> FakeLoader {
        FakeLoader {
            models: models.iter().copied().collect(),
            seen: std::cell::RefCell::new(Vec::new()),
        }
    }
}

impl ModelLoader for FakeLoader {
    fn load(
        &self,
        spec: &conary_core::spec::TroveSpec,
        label_path: &[conary_core::version::Label],
    ) -> Result<IncludedModel, String> {
        let name = spec.name().to_string();
        self.seen.borrow_mut().push((
            name.clone(),
            label_path.iter().map(ToString::to_string).collect(),
        ));
        let Some(text) = self.models.get(name.as_str()) else {
            return Err(format!("no trove {name} on the path"));
        };
        let trove = conary_core::trove::TroveTuple {
            name: spec.name().clone(),
            version: "/a.example.com@x:1/1-1-1".parse().expect("version"),
            flavor: conary_core::flavor::Flavor::default(),
        };
        Ok(IncludedModel {
            trove,
            text: (*text).to_owned(),
        })
    }

    /// `group-os` holds `sudo` and `tzdata:runtime` on b.example.com.
    fn members(
        &self,
        spec: &conary_core::spec::TroveSpec,
        label_path: &[conary_core::version::Label],
    ) -> Result<
        (
            conary_core::trove::TroveTuple,
            Vec<conary_core::trove::TroveTuple>,
        ),
        String,
    > {
        self.seen.borrow_mut().push((
            spec.name().to_string(),
            label_path.iter().map(ToString::to_string).collect(),
        ));
        if spec.name().as_str() != "group-os" {
            return Err(format!("no trove {} on the path", spec.name()));
        }
        let tuple = |name: &str, version: &str| conary_core::trove::TroveTuple {
            name: name.parse().expect("name"),
            version: version.parse().expect("version"),
            flavor: conary_core::flavor::Flavor::default(),
        };
        Ok((
            tuple("group-os", "/a.example.com@x:1/1-1-1"),
            vec![
                tuple("sudo", "/b.example.com@y:1/1.9-1-1"),
                tuple("tzdata:runtime", "/b.example.com@y:1/2024a-1-1"),
            ],
        ))
    }
}

#[test]
fn a_searched_group_gives_its_versions_to_the_specs_that_follow() {
    let loader = FakeLoader::new(&[]);
    let model = SystemModel::parse(
        "search a.example.com@x:1\ninstall sudo\nsearch group-os\ninstall sudo tzdata:runtime nginx\ninstall sudo=2.0\n",
    )
    .expect("valid");
    let evaluation = model.evaluate_with(&loader).expect("evaluates");
    let wanted: Vec<String> = evaluation.wanted.iter().map(ToString::to_string).collect();
    // A spec the group holds takes the group's version; a spec with a
    // version, and a name the group lacks, stay as written.
    assert_eq!(
        wanted,
        [
            "sudo=2.0",
            "tzdata:runtime=/b.example.com@y:1/2024a-1-1",
            "nginx"
        ]
    );
    let labels: Vec<String> = evaluation
        .label_path
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(labels, ["a.example.com@x:1", "b.example.com@y:1"]);
    assert_eq!(
        *loader.seen.borrow(),
        [("group-os".to_owned(), vec!["a.example.com@x:1".to_owned()])]
    );

    // A label searched after the group comes first.
    let model = SystemModel::parse(
        "search group-os=a.example.com@x:1\nsearch c.example.com@z:1\ninstall sudo\n",
    )
    .expect("valid");
    let evaluation = model.evaluate_with(&loader).expect("evaluates");
    assert_eq!(evaluation.wanted[0].to_string(), "sudo");

    let missing =
        SystemModel::parse("search a.example.com@x:1\nsearch group-none\n").expect("valid");
    assert_eq!(
        missing
            .evaluate_with(&loader)
            .expect_err("missing")
            .to_string(),
        "system-model:2: search group-none: no trove group-none on the path"
    );
}

#[test]
fn an_included_model_is_evaluated_in_place_with_its_search_lines_scoped() {
    let loader = FakeLoader::new(&[
        (
            "web-model:cml",
            "search b.example.com@x:1\ninstall nginx-common\ninclude base-model:cml\nerase sudo\n",
        ),
        (
            "base-model:cml",
            "search c.example.com@x:1\ninstall sudo tzdata\n",
        ),
    ]);
    let model = SystemModel::parse(
        "search a.example.com@x:1\ninstall libssl3\ninclude web-model:cml\ninstall sudo==2.0\n",
    )
    .expect("valid");
    let evaluation = model.evaluate_with(&loader).expect("evaluates");
    let wanted: Vec<String> = evaluation.wanted.iter().map(ToString::to_string).collect();
    assert_eq!(wanted, ["libssl3", "nginx-common", "tzdata", "sudo=2.0"]);
    let labels: Vec<String> = evaluation
        .label_path
        .iter()
        .map(ToString::to_string)
        .collect();
    // The model's own labels first; the includes' after, in the order met.
    assert_eq!(
        labels,
        [
            "a.example.com@x:1",
            "b.example.com@x:1",
            "c.example.com@x:1"
        ]
    );
    // Each include was looked up with the path of the model that read it.
    let seen = loader.seen.borrow();
    assert_eq!(
        *seen,
        [
            (
                "web-model:cml".to_owned(),
                vec!["a.example.com@x:1".to_owned()]
            ),
            (
                "base-model:cml".to_owned(),
                vec![
                    "b.example.com@x:1".to_owned(),
                    "a.example.com@x:1".to_owned()
                ]
            ),
        ]
    );
}

#[test]
fn include_errors_name_the_line_the_spec_and_the_trove() {
    let loader = FakeLoader::new(&[
        ("a:cml", "include b:cml\n"),
        ("b:cml", "install x\ninclude a:cml\n"),
        ("bad:cml", "install x\ninstal y\n"),
    ]);
    let cases = [
        (
            "search a.example.com@x:1\ninclude a:cml\n",
            "b:cml=/a.example.com@x:1/1-1-1:2: include a:cml: a cycle of includes (include a:cml -> include b:cml -> include a:cml)",
        ),
        (
            "search a.example.com@x:1\n\ninclude missing:cml\n",
            "system-model:3: include missing:cml: no trove missing:cml on the path",
        ),
        (
            "search a.example.com@x:1\ninclude bad:cml\n",
            "bad:cml=/a.example.com@x:1/1-1-1:2: unknown statement 'instal' (expected search, install, update, erase, offer, patch, include or version)",
        ),
        (
            "search a.example.com@x:1\ninclude self:cml\n",
            "system-model:2: include self:cml: no trove self:cml on the path",
        ),
    ];
    for (text, expected) in cases {
        let model = SystemModel::parse(text).expect("valid");
        let error = model.evaluate_with(&loader).expect_err(text).to_string();
        assert_eq!(error, expected, "{text:?}");
    }
    let own = FakeLoader::new(&[("self:cml", "include self:cml\n")]);
    let model = SystemModel::parse("search a.example.com@x:1\ninclude self:cml\n").expect("valid");
    assert_eq!(
        model.evaluate_with(&own).expect_err("cycle").to_string(),
        "self:cml=/a.example.com@x:1/1-1-1:1: include self:cml: a cycle of includes (include self:cml -> include self:cml)"
    );
}

fn line() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        Just("sudo".to_owned()),
        Just("tzdata==1.0-1-1".to_owned()),
        Just("nginx-common=conary.example.com@deb:12".to_owned()),
        Just("'foo[is: x86_64]'".to_owned()),
    ];
    prop_oneof![
        Just(String::new()),
        "#[ -~]{0,20}",
        "[ \t]{0,3}",
        Just("search conary.example.com@deb:12".to_owned()),
        (
            prop_oneof![
                Just("install"),
                Just("update"),
                Just("erase"),
                Just("offer"),
                Just("patch")
            ],
            proptest::collection::vec(word, 1..4),
            "[ \t]{1,3}",
            prop_oneof![Just(""), Just(" # trailing"), Just("\t#x")],
        )
            .prop_map(|(verb, words, gap, comment)| {
                format!("{verb}{gap}{}{comment}", words.join(&gap))
            }),
    ]
}

proptest! {
    #[test]
    fn parse_never_panics(text in "(?s).{0,200}") {
        let _ = SystemModel::parse(&text);
    }

    #[test]
    fn parse_never_panics_on_model_like_text(text in "([a-z =#'\"\\[\\]@:.\\\\\n\t-]|install |search |==){0,40}") {
        if let Ok(model) = SystemModel::parse(&text) {
            prop_assert_eq!(model.format(), text);
            let _ = model.evaluate();
        }
    }

    #[test]
    fn valid_files_round_trip(
        mut lines in proptest::collection::vec(line(), 0..8),
        version in any::<bool>(),
        newline in any::<bool>(),
    ) {
        if version {
            lines.insert(lines.len() / 2, "version 1.2".to_owned());
        }
        let mut text = lines.join("\n");
        if newline && !lines.is_empty() {
            text.push('\n');
        }
        let model = SystemModel::parse(&text).expect("valid model");
        prop_assert_eq!(model.format(), text.clone());
        let mut added = model.clone();
        added.append(TroveVerb::Install, vec!["a[is: x86_64]".parse().expect("spec")]);
        let again = SystemModel::parse(&added.format()).expect("valid");
        prop_assert_eq!(again.format(), added.format());
    }
}
