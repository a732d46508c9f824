//! AWS deployment settings: ECS services and CodeDeploy configurations in CloudFormation
//! and SAM templates (YAML with `!Ref`-style tags, or JSON), and ECS service definitions
//! (`aws ecs create-service --cli-input-json`).

use crate::source::SourceFile;
use crate::yaml::{Key, Kind, Node};
use std::sync::Arc;

/// A CloudFormation/SAM template or an ECS service definition: its one document.
#[derive(Debug, Clone)]
pub struct AwsFile {
    pub source: Arc<SourceFile>,
    pub doc: Node,
}

/// A resource of a template: (logical id key, type, properties).
pub fn resources(doc: &Node) -> Vec<(&Key, &str, Option<&Node>)> {
    doc.get("Resources")
        .map(Node::entries)
        .unwrap_or(&[])
        .iter()
        .filter_map(|(k, r)| {
            let t = r.get("Type")?.as_str()?;
            Some((k, t, r.get("Properties")))
        })
        .collect()
}

/// A field by either spelling (CloudFormation `PascalCase`, ECS API `camelCase`).
pub fn field<'a>(n: &'a Node, pascal: &str) -> Option<(&'a Key, &'a Node)> {
    let mut camel = pascal.to_string();
    if let Some(first) = camel.get_mut(0..1) {
        first.make_ascii_lowercase();
    }
    n.entries()
        .iter()
        .rev()
        .find(|(k, _)| k.text == pascal || k.text == camel)
        .map(|(k, v)| (k, v))
}

pub fn int(n: Option<&Node>) -> Option<i128> {
    match n.map(|n| &n.kind) {
        Some(Kind::Int(i)) => Some(*i),
        Some(Kind::Float(f)) => Some(*f as i128),
        Some(Kind::Str(s)) => s.parse().ok(),
        _ => None,
    }
}

/// An ECS service's deployment settings: (name for messages, desired count, the
/// `DeploymentConfiguration` node, its key, the deployment controller type).
pub struct EcsService<'a> {
    pub name: String,
    pub desired: Option<i128>,
    pub config: Option<(&'a Key, &'a Node)>,
    pub at: &'a Key,
    /// `DeploymentController.Type` as written (`ECS`, `CODE_DEPLOY`, `EXTERNAL`); `None`
    /// when absent (ECS's default, the rolling update) or not a plain string.
    pub controller: Option<&'a str>,
}

fn controller(service: &Node) -> Option<&str> {
    field(service, "DeploymentController")
        .and_then(|(_, c)| field(c, "Type"))
        .and_then(|(_, t)| t.as_str())
}

pub fn ecs_services(doc: &Node) -> Vec<EcsService<'_>> {
    let mut out = Vec::new();
    for (id, t, props) in resources(doc) {
        if t != "AWS::ECS::Service" {
            continue;
        }
        let Some(p) = props else { continue };
        out.push(EcsService {
            name: id.text.clone(),
            desired: int(field(p, "DesiredCount").map(|x| x.1)),
            config: field(p, "DeploymentConfiguration"),
            at: id,
            controller: controller(p),
        });
    }
    // An ECS service definition in JSON: the document itself.
    if doc.get("Resources").is_none()
        && let Some(cfg) = field(doc, "DeploymentConfiguration")
        && let Some((k, _)) = doc.entries().first()
    {
        out.push(EcsService {
            name: field(doc, "ServiceName")
                .and_then(|x| x.1.as_str())
                .unwrap_or("service")
                .to_string(),
            desired: int(field(doc, "DesiredCount").map(|x| x.1)),
            config: Some(cfg),
            at: k,
            controller: controller(doc),
        });
    }
    out
}

/// A CodeDeploy traffic-shifting choice: (where, what it is called, the node holding it).
pub fn codedeploy_configs(doc: &Node) -> Vec<(String, &Node)> {
    let mut out = Vec::new();
    for (id, t, props) in resources(doc) {
        let Some(p) = props else { continue };
        match t {
            "AWS::CodeDeploy::DeploymentGroup" => {
                if let Some((_, v)) = field(p, "DeploymentConfigName") {
                    out.push((id.text.clone(), v));
                }
            }
            "AWS::Serverless::Function" | "AWS::Serverless::StateMachine" => {
                if let Some((_, pref)) = field(p, "DeploymentPreference")
                    && field(pref, "Enabled").is_none_or(|x| x.1.kind != Kind::Bool(false))
                    && let Some((_, v)) = field(pref, "Type")
                {
                    out.push((id.text.clone(), v));
                }
            }
            "AWS::CodeDeploy::DeploymentConfig" => {
                if let Some((_, rc)) = field(p, "TrafficRoutingConfig")
                    && let Some((_, v)) = field(rc, "Type")
                {
                    out.push((id.text.clone(), v));
                }
            }
            _ => {}
        }
    }
    out
}
