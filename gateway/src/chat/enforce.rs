//! Stage 4: the gate between the model's text and the shopper. Every piece
//! of answer text passes here before it is sent as a `token` event; what
//! the gate releases is exactly what the transcript records.

use tokio::sync::mpsc;

use super::ChatEvent;

pub(super) struct Gate {
    tx: mpsc::Sender<ChatEvent>,
    released: String,
}

impl Gate {
    pub fn new(tx: mpsc::Sender<ChatEvent>) -> Self {
        Self { tx, released: String::new() }
    }

    /// Model text as it streams in.
    pub async fn push(&mut self, text: &str) {
        self.release(text.to_owned()).await;
    }

    /// The end of the answer: returns everything released.
    pub async fn finish(self) -> String {
        self.released
    }

    async fn release(&mut self, text: String) {
        self.released.push_str(&text);
        // A closed channel means the shopper left; the turn still completes.
        let _ = self.tx.send(ChatEvent::Token { text }).await;
    }
}
