//! The client classifier: a tree of nodes (hot/cold, loyal/disloyal,
//! large/small ...). One client may sit in several branches. Each node keeps a
//! materialised path (`/1/4/9/`), so "clients under this node and its
//! descendants" is one indexed prefix match in either database.

use async_trait::async_trait;
use serde::Serialize;

use super::RepoError;
use crate::ids::NodeId;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClassifierNode {
    pub id: NodeId,
    pub parent_id: Option<NodeId>,
    pub name: String,
}

/// A node as shown on a client card: with the names of its ancestors.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClassifierBranch {
    pub id: NodeId,
    pub name: String,
    /// `Root / Child / Node`.
    pub path: String,
}

/// The materialised path of a child of `parent_path`.
pub fn child_path(parent_path: Option<&str>, id: NodeId) -> String {
    format!("{}{}/", parent_path.unwrap_or("/"), id.0)
}

/// The node ids along a stored path, root first.
pub fn path_ids(path: &str) -> Vec<NodeId> {
    path.split('/')
        .filter_map(|part| part.parse().ok().map(NodeId))
        .collect()
}

#[async_trait]
pub trait ClassifierRepo: Send + Sync {
    async fn classifier_nodes(&self) -> Result<Vec<ClassifierNode>, RepoError>;
    /// Fails with `Invalid` when the parent does not exist and with
    /// `Conflict("name")` when the parent already has a child of that name.
    async fn create_node(&self, parent: Option<NodeId>, name: &str) -> Result<NodeId, RepoError>;
    async fn rename_node(&self, id: NodeId, name: &str) -> Result<(), RepoError>;
    /// Refuses (`Conflict("children")`) to delete a node that has children;
    /// client memberships of the node are removed with it.
    async fn delete_node(&self, id: NodeId) -> Result<(), RepoError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_nest_and_list_their_ids() {
        let root = child_path(None, NodeId(1));
        let leaf = child_path(Some(&root), NodeId(12));
        assert_eq!(leaf, "/1/12/");
        assert_eq!(path_ids(&leaf), vec![NodeId(1), NodeId(12)]);
        // A sibling with a longer id must not match the prefix of node 1.
        assert!(!child_path(None, NodeId(12)).starts_with(&root));
    }
}
