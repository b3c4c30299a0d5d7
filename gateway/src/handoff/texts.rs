//! What the shopper is told about a handoff, in the gateway's languages
//! (English for any other).

/// The assistant's words when it hands the conversation to a person.
pub fn handed_off(language: &str) -> &'static str {
    match language {
        "es" => "Te paso con una persona de nuestro equipo: verá toda la conversación y te responderá aquí.",
        "ru" => "Я передаю разговор сотруднику нашей команды: он увидит всю переписку и ответит здесь.",
        "ca" => "Et passo amb una persona del nostre equip: veurà tota la conversa i et respondrà aquí.",
        "fr" => "Je transmets la conversation à une personne de notre équipe : elle verra tout l'échange et vous répondra ici.",
        "de" => "Ich gebe das Gespräch an eine Person aus unserem Team weiter: Sie sieht den ganzen Verlauf und antwortet Ihnen hier.",
        "it" => "Passo la conversazione a una persona del nostro team: vedrà tutta la chat e ti risponderà qui.",
        "pt" => "Vou passar a conversa a uma pessoa da nossa equipa: verá toda a conversa e responderá aqui.",
        _ => "I'm passing this to a person on our team: they'll see the whole conversation and answer you here.",
    }
}

/// While a ticket is open: the shopper's message reached the team.
pub fn waiting(language: &str) -> &'static str {
    match language {
        "es" => "Tu mensaje ha llegado a nuestro equipo; una persona te responderá aquí.",
        "ru" => "Ваше сообщение передано нашей команде; сотрудник ответит здесь.",
        "ca" => "El teu missatge ha arribat al nostre equip; una persona et respondrà aquí.",
        "fr" => "Votre message a été transmis à notre équipe ; une personne vous répondra ici.",
        "de" => "Ihre Nachricht ist bei unserem Team angekommen; eine Person antwortet Ihnen hier.",
        "it" => "Il tuo messaggio è arrivato al nostro team; una persona ti risponderà qui.",
        "pt" => "A sua mensagem chegou à nossa equipa; uma pessoa vai responder aqui.",
        _ => "Your message has reached our team; a person will answer you here.",
    }
}

/// The store offers a person instead of handing off at once.
pub fn offered(language: &str) -> &'static str {
    match language {
        "es" => "Si lo prefieres, una persona de nuestro equipo puede ayudarte: pulsa «Hablar con una persona».",
        "ru" => "Если хотите, вам может помочь сотрудник нашей команды: нажмите «Связаться с человеком».",
        "ca" => "Si ho prefereixes, una persona del nostre equip et pot ajudar: prem «Parlar amb una persona».",
        "fr" => "Si vous préférez, une personne de notre équipe peut vous aider : cliquez sur « Parler à une personne ».",
        "de" => "Wenn Sie möchten, hilft Ihnen eine Person aus unserem Team: Klicken Sie auf „Mit einer Person sprechen“.",
        "it" => "Se preferisci, una persona del nostro team può aiutarti: premi «Parla con una persona».",
        "pt" => "Se preferir, uma pessoa da nossa equipa pode ajudar: carregue em «Falar com uma pessoa».",
        _ => "If you prefer, a person from our team can help: press “Talk to a person”.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_gateway_language_has_its_own_words() {
        let english = [handed_off("en"), waiting("en"), offered("en")];
        for language in ["es", "ru", "ca", "fr", "de", "it", "pt"] {
            for (i, text) in [handed_off(language), waiting(language), offered(language)].into_iter().enumerate() {
                assert_ne!(text, english[i], "{language}");
            }
        }
    }
}
