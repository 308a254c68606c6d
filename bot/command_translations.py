"""The command table's help texts in other languages, for platforms that show them localized.

Every summary of `bot.commands.COMMANDS`, every parameter help and every group
summary of `bot.commands.GROUP_SUMMARIES`, in each language of `LANGUAGES`
(BCP 47 tags). Command syntax stays as in English: command names, choice values,
`key=value` keys and their examples. French uses the infinitive (and "vous"),
German "du", Spanish "tú", Brazilian Portuguese "você". The core's own replies
stay English; an adapter maps the tags to its platform's locale codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = ["LANGUAGES", "group_summaries", "param_helps", "summaries"]

LANGUAGES: Final[tuple[str, ...]] = ("fr", "de", "es", "pt-BR")

_YOUR_ANSWER: Final[Mapping[str, str]] = {
    "fr": "votre réponse",
    "de": "deine Antwort",
    "es": "tu respuesta",
    "pt-BR": "sua resposta",
}

_SUMMARIES: Final[Mapping[str, Mapping[str, str]]] = {
    "answer": {
        "fr": "Répondre en privé à la question en cours (sans texte, un formulaire s'ouvre)",
        "de": "Beantworte die aktuelle Frage privat (ohne Text öffnet sich ein Formular)",
        "es": "Responde en privado a la pregunta actual (si no escribes texto, se abre un "
        "formulario)",
        "pt-BR": "Responda em particular à pergunta atual (se você não enviar texto, um formulário "
        "se abre)",
    },
    "practice": {
        "fr": "Recevoir une question d'entraînement visible uniquement par vous",
        "de": "Hol dir eine Übungsfrage, die nur du siehst",
        "es": "Recibe una pregunta de práctica que solo tú ves",
        "pt-BR": "Receba uma pergunta de treino que só você vê",
    },
    "practice answer": {
        "fr": "Répondre à votre question d'entraînement et voir votre taux de couverture",
        "de": "Beantworte deine Übungsfrage und sieh deine Abdeckung",
        "es": "Responde a tu pregunta de práctica y mira tu cobertura",
        "pt-BR": "Responda à sua pergunta de treino e veja sua cobertura",
    },
    "practice reveal": {
        "fr": "Afficher la réponse à votre question d'entraînement",
        "de": "Zeig die Antwort auf deine Übungsfrage",
        "es": "Muestra la respuesta de tu pregunta de práctica",
        "pt-BR": "Mostre a resposta da sua pergunta de treino",
    },
    "review": {
        "fr": "Vos questions d'entraînement à réviser, la plus en retard d'abord",
        "de": "Deine fälligen Übungsfragen zur Wiederholung, die am längsten fällige zuerst",
        "es": "Tus preguntas de práctica pendientes de repaso, la más atrasada primero",
        "pt-BR": "Suas perguntas de treino para revisar, a mais atrasada primeiro",
    },
    "hint": {
        "fr": "Un indice pour votre question d'entraînement ou pour la question en cours",
        "de": "Ein Tipp zu deiner Übungsfrage oder zur aktuellen Frage",
        "es": "Una pista para tu pregunta de práctica o para la pregunta actual",
        "pt-BR": "Uma dica para sua pergunta de treino ou para a pergunta atual",
    },
    "leaderboard": {
        "fr": "Le classement du groupe, pour vous seul (public : pour le canal)",
        "de": "Die Rangliste der Gruppe, nur für dich (public: für den Kanal)",
        "es": "La clasificación del grupo, solo para ti (public: para el canal)",
        "pt-BR": "O ranking do grupo, só para você (public: para o canal)",
    },
    "stats": {
        "fr": "Vos points, votre rang, votre série et votre taux de couverture",
        "de": "Deine Punkte, dein Rang, deine Serie und deine Abdeckung",
        "es": "Tus puntos, posición, racha y cobertura",
        "pt-BR": "Seus pontos, posição, sequência e cobertura",
    },
    "away": {
        "fr": "Les jours où vous serez absent : votre série vous attend (sans texte : vos jours)",
        "de": "Tage, an denen du weg bist: deine Serie wartet auf dich (ohne Text: deine Tage)",
        "es": "Los días que estarás fuera: tu racha te espera (sin texto: tus días)",
        "pt-BR": "Os dias em que você estará fora: sua sequência espera (sem texto: seus dias)",
    },
    "appeal": {
        "fr": "Demander aux admins de revoir votre note à la dernière question révélée",
        "de": "Bitte die Admins, deine Bewertung der zuletzt aufgelösten Frage zu prüfen",
        "es": "Pide a los admins que revisen tu nota de la última pregunta revelada",
        "pt-BR": "Peça aos admins que revejam sua nota na última pergunta revelada",
    },
    "remind": {
        "fr": "Activer ou désactiver vos rappels privés avant une révélation",
        "de": "Schalte deine privaten Erinnerungen vor einer Auflösung ein oder aus",
        "es": "Activa o desactiva tus recordatorios privados antes de una revelación",
        "pt-BR": "Ative ou desative seus lembretes privados antes de uma revelação",
    },
    "help": {
        "fr": "Ce que font les commandes et comment les points sont calculés",
        "de": "Was die Befehle tun und wie die Punktevergabe funktioniert",
        "es": "Qué hacen los comandos y cómo funciona la puntuación",
        "pt-BR": "O que os comandos fazem e como funciona a pontuação",
    },
    "studybot setup": {
        "fr": "Lancer les questions quotidiennes dans ce salon (paramètres facultatifs)",
        "de": "Starte die täglichen Fragen in diesem Kanal (optionale Einstellungen)",
        "es": "Inicia las preguntas diarias en este canal (ajustes opcionales)",
        "pt-BR": "Inicie as perguntas diárias neste canal (configurações opcionais)",
    },
    "studybot settings": {
        "fr": "Afficher ou modifier les paramètres de ce salon",
        "de": "Zeig oder ändere die Einstellungen dieses Kanals",
        "es": "Muestra o cambia los ajustes de este canal",
        "pt-BR": "Mostre ou altere as configurações deste canal",
    },
    "studybot pause": {
        "fr": "Arrêter la publication des questions quotidiennes ici",
        "de": "Pausiere die täglichen Fragen hier",
        "es": "Detén la publicación de preguntas diarias aquí",
        "pt-BR": "Interrompa a publicação das perguntas diárias aqui",
    },
    "studybot resume": {
        "fr": "Reprendre la publication des questions quotidiennes",
        "de": "Starte die täglichen Fragen wieder",
        "es": "Reanuda la publicación de preguntas diarias",
        "pt-BR": "Retome a publicação das perguntas diárias",
    },
    "studybot skip": {
        "fr": "Passer la prochaine question prévue",
        "de": "Überspringe die nächste geplante Frage",
        "es": "Omite la próxima pregunta programada",
        "pt-BR": "Pule a próxima pergunta agendada",
    },
    "studybot post-now": {
        "fr": "Publier la question du jour maintenant",
        "de": "Poste jetzt die Frage von heute",
        "es": "Publica ahora la pregunta de hoy",
        "pt-BR": "Publique agora a pergunta de hoje",
    },
    "studybot reveal": {
        "fr": "Révéler maintenant la réponse à la question en cours",
        "de": "Zeig jetzt die Antwort auf die aktuelle Frage",
        "es": "Revela ahora la respuesta de la pregunta actual",
        "pt-BR": "Revele agora a resposta da pergunta atual",
    },
    "studybot appeals": {
        "fr": "Les contestations en attente d'une décision",
        "de": "Einsprüche, die auf eine Entscheidung warten",
        "es": "Apelaciones que esperan una decisión",
        "pt-BR": "Recursos aguardando uma decisão",
    },
    "studybot regrade": {
        "fr": "Modifier la note de la réponse d'un membre des 14 derniers jours",
        "de": "Ändere die Bewertung der Antwort eines Mitglieds aus den letzten 14 Tagen",
        "es": "Cambia la nota de la respuesta de un miembro de los últimos 14 días",
        "pt-BR": "Altere a nota da resposta de um membro dos últimos 14 dias",
    },
    "studybot question-stats": {
        "fr": "Par question révélée : taux de réponse, couverture moyenne, point clé le plus "
        "manqué",
        "de": "Pro aufgelöster Frage: Antwortquote, mittlere Abdeckung, meistverpasster Kernpunkt",
        "es": "Por pregunta revelada: tasa de respuesta, cobertura media, el punto clave más "
        "olvidado",
        "pt-BR": "Por pergunta revelada: taxa de resposta, cobertura média, o ponto-chave mais "
        "esquecido",
    },
}

_PARAM_HELPS: Final[Mapping[tuple[str, str], Mapping[str, str]]] = {
    ("answer", "text"): _YOUR_ANSWER,
    ("practice", "category"): {
        "fr": "une catégorie de la banque de questions",
        "de": "eine Kategorie des Fragenkatalogs",
        "es": "una categoría del banco de preguntas",
        "pt-BR": "uma categoria do banco de perguntas",
    },
    ("practice", "difficulty"): {
        "fr": "easy, medium ou hard",
        "de": "easy, medium oder hard",
        "es": "easy, medium o hard",
        "pt-BR": "easy, medium ou hard",
    },
    ("practice answer", "text"): _YOUR_ANSWER,
    ("leaderboard", "period"): {
        "fr": "week, month ou all (depuis le début)",
        "de": "week, month oder all (seit Beginn)",
        "es": "week, month o all (desde el inicio)",
        "pt-BR": "week, month ou all (desde o início)",
    },
    ("leaderboard", "when"): {
        "fr": "last, ou une semaine ou un mois par son nom, par ex. 2026-W49 ou 2026-11",
        "de": "last, oder eine Woche oder ein Monat mit Namen, z. B. 2026-W49 oder 2026-11",
        "es": "last, o una semana o un mes por su nombre, p. ej. 2026-W49 o 2026-11",
        "pt-BR": "last, ou uma semana ou um mês pelo nome, ex.: 2026-W49 ou 2026-11",
    },
    ("leaderboard", "share"): {
        "fr": "public : le publier dans le canal",
        "de": "public: im Kanal posten",
        "es": "public: publicarla en el canal",
        "pt-BR": "public: publicar no canal",
    },
    ("leaderboard", "page"): {
        "fr": "quelle dizaine, par ex. page=2",
        "de": "welche zehn, z. B. page=2",
        "es": "qué decena, p. ej. page=2",
        "pt-BR": "qual dezena, ex.: page=2",
    },
    ("leaderboard", "category"): {
        "fr": "les points d'une seule catégorie, par ex. category=nlp",
        "de": "nur die Punkte einer Kategorie, z. B. category=nlp",
        "es": "solo los puntos de una categoría, p. ej. category=nlp",
        "pt-BR": "só os pontos de uma categoria, ex.: category=nlp",
    },
    ("leaderboard", "chart"): {
        "fr": "chart : avec un graphique de leurs points par semaine",
        "de": "chart: mit einem Diagramm ihrer Punkte pro Woche",
        "es": "chart: con un gráfico de sus puntos por semana",
        "pt-BR": "chart: com um gráfico dos pontos por semana",
    },
    ("review", "remind"): {
        "fr": "on ou off : une note privée les jours de révisions dues (status : la voir)",
        "de": "on oder off: eine private Notiz an Tagen mit fälligen Reviews (status: zeigen)",
        "es": "on u off: una nota privada diaria cuando hay repasos pendientes (status: verla)",
        "pt-BR": "on ou off: uma nota privada diária quando há revisões pendentes (status: ver)",
    },
    ("review", "at"): {
        "fr": "l'heure locale de la note, HH:MM (par défaut 09:00)",
        "de": "die Ortszeit der Notiz, HH:MM (Standard 09:00)",
        "es": "la hora local de la nota, HH:MM (por defecto 09:00)",
        "pt-BR": "o horário local da nota, HH:MM (padrão 09:00)",
    },
    ("remind", "choice"): {
        "fr": "on ou off",
        "de": "on oder off",
        "es": "on u off",
        "pt-BR": "on ou off",
    },
    ("help", "topic"): {
        "fr": "commands, scoring ou admin",
        "de": "commands, scoring oder admin",
        "es": "commands, scoring o admin",
        "pt-BR": "commands, scoring ou admin",
    },
    ("studybot setup", "settings"): {
        "fr": "paramètres key=value, par ex. time=09:00 tz=Europe/Berlin",
        "de": "Einstellungen als key=value, z. B. time=09:00 tz=Europe/Berlin",
        "es": "ajustes key=value, p. ej. time=09:00 tz=Europe/Berlin",
        "pt-BR": "configurações key=value, por exemplo time=09:00 tz=Europe/Berlin",
    },
    ("away", "days"): {
        "fr": "une date ou une période, par ex. 2026-12-20..2026-12-27, ou off",
        "de": "ein Datum oder ein Zeitraum, z. B. 2026-12-20..2026-12-27, oder off",
        "es": "una fecha o un intervalo, p. ej. 2026-12-20..2026-12-27, u off",
        "pt-BR": "uma data ou um período, por exemplo 2026-12-20..2026-12-27, ou off",
    },
    ("appeal", "note"): {
        "fr": "ce que la correction a manqué (facultatif)",
        "de": "was die Bewertung übersehen hat (optional)",
        "es": "lo que la corrección pasó por alto (opcional)",
        "pt-BR": "o que a correção deixou passar (opcional)",
    },
    ("studybot regrade", "answer"): {
        "fr": "le membre et la date de la question, par ex. @alice 2026-12-01",
        "de": "das Mitglied und das Datum der Frage, z. B. @alice 2026-12-01",
        "es": "el miembro y la fecha de la pregunta, p. ej. @alice 2026-12-01",
        "pt-BR": "o membro e a data da pergunta, por exemplo @alice 2026-12-01",
    },
    ("studybot question-stats", "days"): {
        "fr": "le nombre de jours à remonter, de 1 à 365 (30 par défaut)",
        "de": "wie viele Tage zurück, 1 bis 365 (Standard 30)",
        "es": "los días hacia atrás, de 1 a 365 (30 por defecto)",
        "pt-BR": "quantos dias para trás, de 1 a 365 (padrão 30)",
    },
    ("studybot settings", "changes"): {
        "fr": "modifications key=value, par ex. days=mon-fri reveal=18:00",
        "de": "Änderungen als key=value, z. B. days=mon-fri reveal=18:00",
        "es": "cambios key=value, p. ej. days=mon-fri reveal=18:00",
        "pt-BR": "alterações key=value, por exemplo days=mon-fri reveal=18:00",
    },
}

_GROUP_SUMMARIES: Final[Mapping[str, Mapping[str, str]]] = {
    "studybot": {
        "fr": "Commandes d'administration pour les questions quotidiennes de ce salon",
        "de": "Admin-Befehle für die täglichen Fragen dieses Kanals",
        "es": "Comandos de administración para las preguntas diarias de este canal",
        "pt-BR": "Comandos de administração para as perguntas diárias deste canal",
    },
}

_NONE: Final[Mapping[str, str]] = {}


def summaries(command_name: str) -> Mapping[str, str]:
    """Return a command's summary per language tag (`"fr"` → text); empty if it has none.

    `command_name` is the full name, as in the command table (`"studybot setup"`).
    """
    return _SUMMARIES.get(command_name, _NONE)


def param_helps(command_name: str, param_name: str) -> Mapping[str, str]:
    """Return the help of a command's parameter per language tag; empty if it has none."""
    return _PARAM_HELPS.get((command_name, param_name), _NONE)


def group_summaries(group: str) -> Mapping[str, str]:
    """Return the summary of a command group without a bare command per language tag.

    `group` is the first word shared by its commands (`"studybot"`); the English
    is `bot.commands.GROUP_SUMMARIES[group]`. Empty if it has none.
    """
    return _GROUP_SUMMARIES.get(group, _NONE)
