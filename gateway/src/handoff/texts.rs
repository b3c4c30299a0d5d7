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

/// Outside the store's hours: when a person will answer (`when`, as
/// [`opening`] words it), and an invitation to leave an email address.
pub fn after_hours(language: &str, when: &str) -> String {
    match language {
        "es" => format!(
            "Ahora mismo nuestro equipo no está disponible; una persona te responderá aquí a partir del {when}. Si quieres recibir la respuesta también por correo, escribe aquí tu email."
        ),
        "ru" => format!(
            "Сейчас наша команда не работает; сотрудник ответит здесь начиная с {when}. Если хотите получить ответ и по почте, напишите здесь свой email."
        ),
        "ca" => format!(
            "Ara mateix el nostre equip no està disponible; una persona et respondrà aquí a partir del {when}. Si vols rebre la resposta també per correu, escriu aquí el teu email."
        ),
        "fr" => format!(
            "Notre équipe n'est pas disponible pour le moment ; une personne vous répondra ici à partir de {when}. Si vous souhaitez aussi recevoir la réponse par e-mail, écrivez votre adresse ici."
        ),
        "de" => format!(
            "Unser Team ist gerade nicht erreichbar; eine Person antwortet Ihnen hier ab {when}. Wenn Sie die Antwort auch per E-Mail möchten, schreiben Sie hier Ihre E-Mail-Adresse."
        ),
        "it" => format!(
            "In questo momento il nostro team non è disponibile; una persona ti risponderà qui a partire da {when}. Se vuoi ricevere la risposta anche via email, scrivi qui il tuo indirizzo."
        ),
        "pt" => format!(
            "Neste momento a nossa equipa não está disponível; uma pessoa vai responder aqui a partir de {when}. Se quiser receber a resposta também por email, escreva aqui o seu email."
        ),
        _ => format!(
            "Our team is away right now; a person will answer you here from {when}. If you'd like the answer by email as well, write your email address here."
        ),
    }
}

/// Outside the store's hours with no opening in sight (a long closure).
pub fn away(language: &str) -> &'static str {
    match language {
        "es" => "Ahora mismo nuestro equipo no está disponible. Escribe aquí tu email y te responderemos en cuanto volvamos.",
        "ru" => "Сейчас наша команда недоступна. Напишите здесь свой email, и мы ответим, как только вернёмся.",
        "ca" => "Ara mateix el nostre equip no està disponible. Escriu aquí el teu email i et respondrem tan aviat com tornem.",
        "fr" => "Notre équipe n'est pas disponible pour le moment. Écrivez votre adresse e-mail ici et nous vous répondrons dès notre retour.",
        "de" => "Unser Team ist gerade nicht erreichbar. Schreiben Sie hier Ihre E-Mail-Adresse, und wir antworten, sobald wir zurück sind.",
        "it" => "In questo momento il nostro team non è disponibile. Scrivi qui la tua email e ti risponderemo appena torniamo.",
        "pt" => "Neste momento a nossa equipa não está disponível. Escreva aqui o seu email e respondemos assim que voltarmos.",
        _ => "Our team is away right now. Write your email address here and we'll answer as soon as we're back.",
    }
}

/// The shopper left an email address for the team's answer.
pub fn contact_saved(language: &str, email: &str) -> String {
    match language {
        "es" => format!("Gracias: te responderemos también en {email}."),
        "ru" => format!("Спасибо: мы также ответим на {email}."),
        "ca" => format!("Gràcies: també et respondrem a {email}."),
        "fr" => format!("Merci : nous vous répondrons aussi à {email}."),
        "de" => format!("Danke: Wir antworten Ihnen auch an {email}."),
        "it" => format!("Grazie: ti risponderemo anche a {email}."),
        "pt" => format!("Obrigado: vamos responder também para {email}."),
        _ => format!("Thank you: we'll also answer at {email}."),
    }
}

/// A weekday and a local time, as the shopper's language says it:
/// "Monday 09:00", "lunes 09:00".
pub fn opening(language: &str, weekday: chrono::Weekday, time: &str) -> String {
    const NAMES: [(&str, [&str; 7]); 8] = [
        ("en", ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]),
        ("es", ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]),
        ("ru", ["понедельника", "вторника", "среды", "четверга", "пятницы", "субботы", "воскресенья"]),
        ("ca", ["dilluns", "dimarts", "dimecres", "dijous", "divendres", "dissabte", "diumenge"]),
        ("fr", ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]),
        ("de", ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]),
        ("it", ["lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"]),
        ("pt", ["segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado", "domingo"]),
    ];
    let names = NAMES.iter().find(|(code, _)| *code == language).unwrap_or(&NAMES[0]).1;
    format!("{} {time}", names[weekday.num_days_from_monday() as usize])
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
            assert_ne!(after_hours(language, "X"), after_hours("en", "X"), "{language}");
            assert_ne!(contact_saved(language, "a@b.example"), contact_saved("en", "a@b.example"), "{language}");
            assert_ne!(away(language), away("en"), "{language}");
            assert_ne!(opening(language, chrono::Weekday::Mon, "09:00"), opening("en", chrono::Weekday::Mon, "09:00"), "{language}");
        }
    }
}
