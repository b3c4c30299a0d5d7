//! The sentences that replace a claim that stays unbacked: they state no
//! fact and offer a person, in the shopper's language (English when the
//! language is not one of the eight).

use super::ClaimKind;

/// The safe sentence for an unbacked claim of `kind`, in `language` (ISO
/// 639-1, or a BCP 47 tag such as `es-ES`).
pub fn safe_sentence(kind: ClaimKind, language: &str) -> &'static str {
    let i = index(language);
    match kind {
        ClaimKind::Availability => AVAILABILITY[i],
        ClaimKind::Price => PRICE[i],
        ClaimKind::ShippingCost | ClaimKind::ShippingTime => SHIPPING[i],
        ClaimKind::OrderStatus => ORDER[i],
    }
}

/// The safe sentence that replaces anything else that must not be sent
/// (an assistant-mode slip that came back after a regeneration).
pub fn safe_general(language: &str) -> &'static str {
    GENERAL[index(language)]
}

const LANGUAGES: [&str; 8] = ["en", "es", "ru", "ca", "fr", "de", "it", "pt"];

fn index(language: &str) -> usize {
    let primary = language.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
    LANGUAGES.iter().position(|l| *l == primary).unwrap_or(0)
}

const AVAILABILITY: [&str; 8] = [
    "I can't confirm the stock of that right now; I can pass you to a person from the team.",
    "Ahora mismo no puedo confirmar el stock de eso; puedo pasarte con una persona del equipo.",
    "Сейчас я не могу подтвердить наличие; могу передать вас сотруднику магазина.",
    "Ara mateix no puc confirmar l'estoc d'això; et puc passar amb una persona de l'equip.",
    "Je ne peux pas confirmer le stock pour le moment ; je peux vous mettre en contact avec une personne de l'équipe.",
    "Den Lagerbestand kann ich gerade nicht bestätigen; ich kann Sie an eine Person aus dem Team weiterleiten.",
    "Non posso confermare la disponibilità in questo momento; posso passarti a una persona del team.",
    "Não posso confirmar o stock neste momento; posso passar-te a uma pessoa da equipa.",
];

const PRICE: [&str; 8] = [
    "I can't confirm the price right now; I can pass you to a person from the team.",
    "Ahora mismo no puedo confirmar el precio; puedo pasarte con una persona del equipo.",
    "Сейчас я не могу подтвердить цену; могу передать вас сотруднику магазина.",
    "Ara mateix no puc confirmar el preu; et puc passar amb una persona de l'equip.",
    "Je ne peux pas confirmer le prix pour le moment ; je peux vous mettre en contact avec une personne de l'équipe.",
    "Den Preis kann ich gerade nicht bestätigen; ich kann Sie an eine Person aus dem Team weiterleiten.",
    "Non posso confermare il prezzo in questo momento; posso passarti a una persona del team.",
    "Não posso confirmar o preço neste momento; posso passar-te a uma pessoa da equipa.",
];

const SHIPPING: [&str; 8] = [
    "I can't confirm the shipping details right now; I can pass you to a person from the team.",
    "Ahora mismo no puedo confirmar los detalles del envío; puedo pasarte con una persona del equipo.",
    "Сейчас я не могу подтвердить условия доставки; могу передать вас сотруднику магазина.",
    "Ara mateix no puc confirmar els detalls de l'enviament; et puc passar amb una persona de l'equip.",
    "Je ne peux pas confirmer les détails de la livraison pour le moment ; je peux vous mettre en contact avec une personne de l'équipe.",
    "Die Versanddetails kann ich gerade nicht bestätigen; ich kann Sie an eine Person aus dem Team weiterleiten.",
    "Non posso confermare i dettagli della spedizione in questo momento; posso passarti a una persona del team.",
    "Não posso confirmar os detalhes do envio neste momento; posso passar-te a uma pessoa da equipa.",
];

const ORDER: [&str; 8] = [
    "I can't confirm the status of that order right now; I can pass you to a person from the team.",
    "Ahora mismo no puedo confirmar el estado de ese pedido; puedo pasarte con una persona del equipo.",
    "Сейчас я не могу подтвердить статус этого заказа; могу передать вас сотруднику магазина.",
    "Ara mateix no puc confirmar l'estat d'aquesta comanda; et puc passar amb una persona de l'equip.",
    "Je ne peux pas confirmer le statut de cette commande pour le moment ; je peux vous mettre en contact avec une personne de l'équipe.",
    "Den Status dieser Bestellung kann ich gerade nicht bestätigen; ich kann Sie an eine Person aus dem Team weiterleiten.",
    "Non posso confermare lo stato di quell'ordine in questo momento; posso passarti a una persona del team.",
    "Não posso confirmar o estado dessa encomenda neste momento; posso passar-te a uma pessoa da equipa.",
];

const GENERAL: [&str; 8] = [
    "I can't confirm that right now; I can pass you to a person from the team.",
    "Ahora mismo no puedo confirmarlo; puedo pasarte con una persona del equipo.",
    "Сейчас я не могу это подтвердить; могу передать вас сотруднику магазина.",
    "Ara mateix no ho puc confirmar; et puc passar amb una persona de l'equip.",
    "Je ne peux pas le confirmer pour le moment ; je peux vous mettre en contact avec une personne de l'équipe.",
    "Das kann ich gerade nicht bestätigen; ich kann Sie an eine Person aus dem Team weiterleiten.",
    "Non posso confermarlo in questo momento; posso passarti a una persona del team.",
    "Não posso confirmar isso neste momento; posso passar-te a uma pessoa da equipa.",
];
