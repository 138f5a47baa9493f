// Interface texts of the widget in the six languages. The bot's own sentences come
// from the server (data/phrases); these are only the widget's buttons and labels.
export const TEXTS = {
  en: { slow: "You are writing very fast: your message will be sent in a moment.", title: "Support", open: "Open chat", close: "Close chat", placeholder: "Write a message…", send: "Send", typing: "Typing…", offline: "Offline: your messages will be sent when you are back online.", ticket: "Ticket", expected: "Expected answer", unread: "unread messages", log: "Chat messages", read: "Open article" },
  nb: { slow: "Du skriver veldig raskt: meldingen sendes om et øyeblikk.", title: "Kundeservice", open: "Åpne chat", close: "Lukk chat", placeholder: "Skriv en melding…", send: "Send", typing: "Skriver…", offline: "Frakoblet: meldingene sendes når du er på nett igjen.", ticket: "Sak", expected: "Forventet svar", unread: "uleste meldinger", log: "Chatmeldinger", read: "Åpne artikkel" },
  hr: { slow: "Pišete vrlo brzo: poruka će se poslati za trenutak.", title: "Podrška", open: "Otvori chat", close: "Zatvori chat", placeholder: "Napišite poruku…", send: "Pošalji", typing: "Piše…", offline: "Niste povezani: poruke će se poslati kad se veza vrati.", ticket: "Upit", expected: "Očekivani odgovor", unread: "nepročitane poruke", log: "Poruke chata", read: "Otvori članak" },
  fi: { slow: "Kirjoitat hyvin nopeasti: viesti lähetetään hetken kuluttua.", title: "Asiakastuki", open: "Avaa chat", close: "Sulje chat", placeholder: "Kirjoita viesti…", send: "Lähetä", typing: "Kirjoittaa…", offline: "Ei yhteyttä: viestit lähetetään, kun yhteys palaa.", ticket: "Tukipyyntö", expected: "Vastaus viimeistään", unread: "lukematonta viestiä", log: "Chat-viestit", read: "Avaa ohje" },
  ru: { slow: "Вы пишете очень быстро: сообщение отправится через мгновение.", title: "Поддержка", open: "Открыть чат", close: "Закрыть чат", placeholder: "Напишите сообщение…", send: "Отправить", typing: "Печатает…", offline: "Нет связи: сообщения отправятся, когда связь восстановится.", ticket: "Заявка", expected: "Ожидаемый ответ", unread: "непрочитанных сообщений", log: "Сообщения чата", read: "Открыть статью" },
  hu: { slow: "Nagyon gyorsan ír: az üzenet egy pillanat múlva elmegy.", title: "Ügyfélszolgálat", open: "Chat megnyitása", close: "Chat bezárása", placeholder: "Írjon üzenetet…", send: "Küldés", typing: "Ír…", offline: "Nincs kapcsolat: az üzenetek a kapcsolat helyreállása után mennek el.", ticket: "Hibajegy", expected: "Várható válasz", unread: "olvasatlan üzenet", log: "Chatüzenetek", read: "Cikk megnyitása" },
};

export function texts(lang) {
  return TEXTS[lang] || TEXTS.en;
}
