//! Assistant-mode slips: the model talking about itself as an AI ("as an
//! AI language model", "como modelo de lenguaje", "как языковая модель")
//! instead of as the shop's assistant. A slip gets one regeneration with
//! [`STRONGER_INSTRUCTION`], then the safe sentence.

use super::text::{self, has_any};

/// Added to the system prompt for the regeneration after a slip.
#[rustfmt::skip]
pub const STRONGER_INSTRUCTION: &str = "Never describe yourself as an AI, a language model or a bot, and never mention training data, knowledge cut-offs or browsing. You are the shop's assistant: answer only from the product cards and the tool results, and when you cannot, say so plainly and offer a person from the team.";

/// Slip phrases, folded. Acronyms (AI, IA, KI, ИИ) match only in capitals.
#[rustfmt::skip]
const SLIPS: &[&str] = &[
    // en
    "as an ai", "as a language model", "as an ai language model", "i am an ai", "i m an ai", "i am just an ai", "i m just an ai", "i am only an ai",
    "i m only an ai", "i am a language model", "i m a language model", "large language model", "just a bot", "only a bot", "just a chatbot",
    "only a chatbot", "do not have access to real time", "do not have real time", "have no access to real time", "not have access to the internet",
    "can not browse", "cannot browse", "unable to browse", "not able to browse", "my knowledge cutoff", "my knowledge cut off", "knowledge cutoff",
    "my training data", "as of my last update", "as of my last training", "my last update", "do not have personal opinions", "do not have feelings",
    "trained by openai", "developed by openai", "chatgpt",
    // es
    "como modelo de lenguaje", "como un modelo de lenguaje", "como una ia", "como ia", "como inteligencia artificial", "soy una ia",
    "soy un modelo de lenguaje", "soy una inteligencia artificial", "solo soy un bot", "no tengo acceso a internet", "no tengo acceso en tiempo real",
    "no tengo acceso a informacion en tiempo real", "no tengo acceso a datos en tiempo real", "no puedo navegar", "mis datos de entrenamiento",
    "mi ultima actualizacion", "fecha de corte", "no tengo opiniones personales",
    // ru
    "как языковая модель", "как модель ии", "как ии", "как искусственныи интеллект", "я языковая модель", "я всего лишь ии", "я всего лишь бот",
    "я лишь бот", "я просто бот", "я просто ии", "у меня нет доступа к интернету", "нет доступа к интернету", "нет доступа к данным в реальном времени",
    "нет доступа к информации в реальном времени", "мое последнее обновление", "мои последнии обновление", "моего последнего обновления",
    "моих обучающих данных", "мои обучающие данные", "на момент моего обучения", "не могу просматривать интернет", "не могу выходить в интернет",
    // ca
    "com a model de llenguatge", "com a ia", "com a intelligencia artificial", "soc una ia", "soc un model de llenguatge", "nomes soc un bot",
    "no tinc acces a internet", "no tinc acces en temps real", "no tinc acces a informacio en temps real", "les meves dades d entrenament",
    "la meva ultima actualitzacio",
    // fr
    "en tant qu ia", "en tant que ia", "en tant que modele de langage", "en tant qu intelligence artificielle", "en tant qu assistant ia",
    "je suis une ia", "je suis un modele de langage", "je suis une intelligence artificielle", "je ne suis qu un bot", "je n ai pas acces a internet",
    "je n ai pas acces aux informations en temps reel", "je n ai pas acces en temps reel", "mes donnees d entrainement", "ma derniere mise a jour",
    "je ne peux pas naviguer",
    // de
    "als ki", "als ki sprachmodell", "als sprachmodell", "als kunstliche intelligenz", "ich bin eine ki", "ich bin ein sprachmodell",
    "ich bin nur ein bot", "ich bin nur eine ki", "keinen zugriff auf das internet", "keinen zugriff auf echtzeit*", "keinen zugang zu echtzeit*",
    "meine trainingsdaten", "mein letztes update", "meinem letzten update", "mein wissensstand", "kann nicht im internet surfen",
    // it
    "come modello linguistico", "come modello di linguaggio", "come un modello linguistico", "come ia", "come un ia", "come intelligenza artificiale",
    "sono un ia", "sono un modello linguistico", "sono un intelligenza artificiale", "sono solo un bot", "non ho accesso a internet",
    "non ho accesso in tempo reale", "non ho accesso a informazioni in tempo reale", "miei dati di addestramento", "mio ultimo aggiornamento",
    "non posso navigare",
    // pt
    "como modelo de linguagem", "como um modelo de linguagem", "como uma ia", "como ia", "como inteligencia artificial", "sou uma ia",
    "sou um modelo de linguagem", "sou uma inteligencia artificial", "sou apenas um bot", "nao tenho acesso a internet", "nao tenho acesso em tempo real",
    "nao tenho acesso a informacoes em tempo real", "meus dados de treinamento", "meus dados de treino", "minha ultima atualizacao",
    "a minha ultima atualizacao", "nao consigo navegar",
];

/// Whether `text` contains an assistant-mode slip, in any of the eight
/// languages.
pub fn detect(text: &str) -> bool {
    let words = text::words(text);
    has_any(&words, SLIPS)
}
