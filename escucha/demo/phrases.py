"""Topic ids, topic keywords and the text fragments posts are assembled from.

Fragments are grouped per topic into ``keyword`` (contain at least one of the
topic's keywords) and ``implicit`` (talk about the topic without any keyword)
so that keyword rules are imperfect in a controlled way.  ``DECOYS`` are
off-topic sentences that contain a keyword in another sense.  Placeholders
``{lugar} {dep} {partido} {n} {n_mil} {pct} {multa} {tema_ley} {propuesta}
{ministerio} {tramite} {k}`` are filled per post.
"""
from __future__ import annotations

import re

from .vocabulary import DEPARTMENT_NAMES, DISTRICTS, PLACES_IN_TEXT, strip_accents

TOPICS: tuple[str, ...] = (
    "congreso", "elecciones", "informalidad", "digitalizacion",
    "migracion_venezolana", "derrame_petroleo", "seguridad_alimentaria",
)
TOPIC_INDEX: dict[str, int] = {t: i for i, t in enumerate(TOPICS)}
OFF_TOPIC = len(TOPICS)  # index used for "no topic" in weight matrices

TOPIC_KEYWORDS: dict[str, tuple[str, ...]] = {
    "congreso": ("congreso", "congresista", "vacancia", "pleno del congreso", "#VacanciaPresidencial"),
    "elecciones": ("elecciones", "candidato", "candidata", "onpe", "jne", "voto", "#EleccionesRegionales2022"),
    "informalidad": ("informalidad", "trabajo informal", "comercio informal", "ambulantes", "emprendedores"),
    "digitalizacion": ("digitalización", "gobierno digital", "brecha digital", "conectividad", "internet"),
    "migracion_venezolana": ("venezolanos", "venezolanas", "migrantes", "migración", "refugiados"),
    "derrame_petroleo": ("derrame", "petróleo", "repsol", "ventanilla", "crudo", "#DerrameDePetróleo"),
    "seguridad_alimentaria": ("seguridad alimentaria", "ollas comunes", "hambre", "precio de los alimentos",
                              "fertilizantes"),
}


def normalize(text: str) -> str:
    """Lower-case and strip accents, for accent-insensitive keyword matching."""
    return strip_accents(text).casefold()


_NORMALIZED_KEYWORDS: dict[str, tuple[str, ...]] = {
    t: tuple(normalize(k) for k in kws) for t, kws in TOPIC_KEYWORDS.items()
}


def has_keyword(text: str, topic: str) -> bool:
    """True if ``text`` contains one of ``topic``'s keywords (accent/case-insensitive substring)."""
    norm = normalize(text)
    return any(k in norm for k in _NORMALIZED_KEYWORDS[topic])


def keyword_topics(text: str) -> list[str]:
    """Topics whose keywords occur in ``text`` (what a naive keyword rule would say)."""
    norm = normalize(text)
    return [t for t in TOPICS if any(k in norm for k in _NORMALIZED_KEYWORDS[t])]


# --------------------------------------------------------------------------
# Placeholder values (none of them contains a topic keyword)
# --------------------------------------------------------------------------

PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "lugar": PLACES_IN_TEXT,
    "dep": DEPARTMENT_NAMES,
    "k": DISTRICTS,
    "partido": ("Renovación Popular", "Perú Libre", "Fuerza Popular", "Alianza para el Progreso", "Somos Perú",
                "Podemos Perú", "Acción Popular", "Juntos por el Perú", "Avanza País", "Perú Bicentenario"),
    "n": ("12", "25", "40", "63", "120", "150", "300", "48", "85", "200", "17", "90"),
    "n_mil": ("5", "12", "18", "25", "40", "120", "7", "60"),
    "pct": ("8", "12", "15", "18", "21", "35", "40", "47", "53", "70", "76", "29"),
    "multa": ("23", "46", "92"),
    "tema_ley": ("la bicameralidad", "la reelección de autoridades", "el retiro de fondos de las AFP",
                 "la reforma del transporte", "la ley universitaria", "la inmunidad parlamentaria"),
    "propuesta": ("reducir el sueldo de los ministros", "declarar feriado regional", "crear un nuevo distrito",
                  "regular los aplicativos de taxi", "prohibir la comida chatarra en colegios"),
    "ministerio": ("Economía", "Transportes", "Salud", "Educación", "Energía y Minas", "Interior", "Trabajo"),
    "tramite": ("DNI", "licencia de funcionamiento", "partida de nacimiento", "certificado de antecedentes",
                "brevete", "pasaporte"),
}

# --------------------------------------------------------------------------
# Spanish topic cores: CORES[topic][variant] = (keyword fragments, implicit fragments)
# variant "base" is everyday talk; other variants belong to planted events.
# --------------------------------------------------------------------------

CORES: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "congreso": {
        "base": ((
            "El pleno del Congreso aprobó en primera votación el proyecto sobre {tema_ley}.",
            "Un congresista de {partido} presentó un proyecto para {propuesta}.",
            "El Congreso vuelve a blindar a sus miembros investigados.",
            "La aprobación del Congreso cae a {pct}% según la última encuesta.",
            "Otra semana en la que el congreso prioriza sus propios beneficios.",
            "La congresista por {dep} pidió explicaciones al premier en el pleno del Congreso.",
            "La comisión de Fiscalización del Congreso citó al ministro de {ministerio}.",
            "Congresistas aprueban viajes al extranjero en plena crisis.",
            "El CONGRESO archivó la reforma sobre {tema_ley} sin mayor debate.",
            "¿Alguien sabe qué hizo el congresista de {dep} en todo este año?",
            "El Congreso otorgó facultades al Ejecutivo por {n} días.",
        ), (
            "Los padres de la patria otra vez legislando para ellos mismos.",
            "En el Parlamento nadie representa a {dep}, solo se representan a sí mismos.",
            "La bancada de {partido} volvió a bloquear la interpelación.",
            "130 personas decidiendo el futuro del país desde la plaza Bolívar y ninguna piensa en nosotros.",
        )),
        "vacancia": ((
            "Hoy se vota la moción de vacancia en el pleno del Congreso: se necesitan 87 votos.",
            "#VacanciaPresidencial: la moción ya tiene las firmas para ser debatida.",
            "En vivo: el Congreso debate la vacancia presidencial por incapacidad moral permanente.",
            "La vacancia no alcanzó los votos necesarios y el presidente sigue en el cargo.",
            "Congresistas de {partido} anuncian que votarán a favor de la vacancia.",
            "La sesión del pleno del Congreso sobre la vacancia se extiende hasta la noche.",
            "Vacancia presidencial: así votó cada bancada en el Congreso.",
        ), (
            "Todo el país pendiente de Palacio: ¿se va o se queda el presidente?",
            "Incapacidad moral permanente: otra vez el mismo libreto político.",
            "Hoy el presidente presenta sus descargos ante la representación nacional.",
        )),
    },
    "elecciones": {
        "base": ((
            "La ONPE inició la capacitación de miembros de mesa en {dep}.",
            "El JNE publicó la lista de candidatos inscritos para {lugar}.",
            "¿Ya sabes dónde te toca? Consulta tu local en la web de la ONPE.",
            "El candidato de {partido} a la alcaldía de {lugar} no se presentó al debate.",
            "La candidata de {partido} al gobierno regional de {dep} presentó su plan de gobierno.",
            "El voto es obligatorio: la multa por no ir es de hasta S/ {multa}.",
            "Encuesta: el {pct}% aún no decide su voto para las elecciones regionales.",
            "Las elecciones municipales y regionales serán el 2 de octubre.",
            "El Jne excluyó a otro candidato por omitir información en su hoja de vida.",
            "Los candidatos a {lugar} prometen obras que no se pueden financiar.",
        ), (
            "Nadie conoce las propuestas de quienes quieren ser alcalde de {lugar}.",
            "Ya empezaron a pintar las paredes de {lugar} con propaganda política.",
            "¿Alguien sabe si hay que llevar DNI vigente para ser miembro de mesa?",
            "Los debates municipales de este año han sido un desastre de propuestas.",
        )),
        "elecciones2022": ((
            "#EleccionesRegionales2022: abren los locales de votación en todo el país.",
            "Conteo de la ONPE al {pct}%: {partido} adelante en {lugar}.",
            "Hoy elegimos alcaldes y gobernadores regionales: tu voto cuenta.",
            "El JNE proclamará los resultados de las elecciones en las próximas semanas.",
            "Largas colas en {lugar} para ejercer el voto este domingo.",
            "Boca de urna: el candidato de {partido} lidera en {dep}.",
            "Resultados ONPE: la candidata de {partido} gana en {lugar}.",
        ), (
            "Ya cumplí con mi deber cívico 🇵🇪 dedito morado listo.",
            "Mi local de votación en {lugar} era un caos, nadie sabía dónde estaba su mesa.",
            "Los resultados de la boca de urna en {dep} están muy ajustados.",
        )),
    },
    "informalidad": {
        "base": ((
            "El {pct}% de los trabajadores peruanos está en la informalidad, según el INEI.",
            "Los ambulantes de {lugar} denuncian desalojos sin aviso.",
            "El comercio informal en Gamarra sigue creciendo después de la pandemia.",
            "Miles de emprendedores no acceden a crédito por no estar formalizados.",
            "El trabajo informal no da pensión ni seguro de salud.",
            "La municipalidad de {lugar} anuncia operativos contra el comercio informal.",
            "Emprendedores de {lugar} piden facilidades para formalizarse.",
            "La Informalidad laboral golpea más a las mujeres y a los jóvenes.",
            "Sin reducir la informalidad no hay crecimiento que alcance.",
        ), (
            "Vendo en la calle desde las 5 de la mañana y no tengo ni seguro ni RUC.",
            "En el mercado de {lugar} casi nadie da boleta, así funciona la cosa.",
            "Sin contrato, sin vacaciones y sin CTS: así trabaja la mayoría en el país.",
            "Los mototaxistas de {lugar} trabajan sin licencia porque el trámite es imposible.",
        )),
    },
    "digitalizacion": {
        "base": ((
            "La brecha digital en zonas rurales sigue siendo enorme: solo el {pct}% de hogares tiene internet.",
            "Gobierno digital: ahora puedes tramitar tu {tramite} en línea desde gob.pe.",
            "La digitalización de las mypes avanza lento en {dep}.",
            "Sin conectividad no hay educación a distancia en {lugar}.",
            "Colegios de {dep} siguen sin Internet dos años después de la pandemia.",
            "Nueva plataforma de gobierno digital para pagar tributos municipales.",
            "La conectividad en la sierra y la selva sigue pendiente.",
            "La digitalización del Estado ahorra horas de cola a los ciudadanos.",
        ), (
            "En mi comunidad los chicos suben al cerro para agarrar señal y mandar sus tareas.",
            "Mi mamá aprendió a pagar sus servicios desde el celular, ya no hace cola en el banco.",
            "Las clases por WhatsApp no son educación, pero es lo único que llega a {lugar}.",
            "Ya saqué mi DNI electrónico y firmé el trámite sin ir a ninguna oficina.",
        )),
        "peru_conectado": ((
            "#PerúConectado lleva internet a {n} escuelas rurales de {dep}.",
            "Con #PerúConectado, {n} comunidades de {dep} ya tienen conectividad.",
            "Arranca #PerúConectado: talleres gratuitos de habilidades digitales contra la brecha digital.",
            "#PerúConectado: cerrar la brecha digital es tarea de todos.",
            "Gracias a #PerúConectado, los estudiantes de {lugar} ya estudian con internet.",
        ), (
            "#PerúConectado llegó a {lugar}: ahora los profes dan clases con tablets y buena señal.",
            "Con #PerúConectado las abuelitas de {lugar} ya hacen videollamadas con sus nietos.",
        )),
    },
    "migracion_venezolana": {
        "base": ((
            "Migraciones amplía el plazo para que los venezolanos regularicen su situación.",
            "Más de {n_mil} mil migrantes venezolanos viven en {dep}, según ACNUR.",
            "Las venezolanas de {lugar} venden arepas para sostener a sus familias.",
            "Refugiados venezolanos denuncian xenofobia al buscar trabajo.",
            "La migración venezolana aporta al PBI más de lo que cuesta, según un estudio.",
            "Nuevo permiso temporal de permanencia para migrantes.",
            "Los venezolanos en el Perú ya superan el millón y medio.",
            "No a la xenofobia: los migrantes también trabajan y pagan impuestos.",
        ), (
            "Llegué a Lima hace 4 años con una mochila y hoy tengo mi propio puesto en {lugar} 🇻🇪🇵🇪.",
            "Mis paisanos siguen cruzando la frontera por Tumbes a pie con sus hijos.",
            "No todos los que vienen de Caracas son delincuentes, basta de estigmatizar.",
            "El carné de extranjería demora meses y sin eso no te contratan en ningún lado.",
        )),
    },
    "derrame_petroleo": {
        "base": ((
            "Otro derrame en el Oleoducto Norperuano afecta a comunidades nativas de Loreto.",
            "Comunidades del Marañón denuncian contaminación por petróleo en sus ríos.",
            "Petroperú reporta un nuevo derrame de crudo en la Amazonía.",
            "El OEFA investiga la fuga de crudo en el lote {n}.",
        ), (
            "Las comunidades awajún siguen esperando la remediación de sus ríos contaminados.",
            "Otra vez una fuga en el oleoducto y otra vez los peces muertos en el río.",
        )),
        "ventanilla": ((
            "El derrame de petróleo en Ventanilla ya afecta más de {n_mil} mil metros cuadrados de mar.",
            "Repsol dice que fueron 6 mil barriles, pero el OEFA calcula casi 12 mil.",
            "Pescadores artesanales de Ancón y Ventanilla sin trabajo desde el derrame.",
            "Voluntarios siguen limpiando el crudo en playa Cavero con sus propias manos.",
            "#DerrameDePetróleo: el Minam declara emergencia ambiental en la costa.",
            "REPSOL tiene que pagar por cada ave y cada pescador afectado.",
            "La mancha de petróleo ya llegó hasta Chancay.",
            "Las imágenes del derrame en las playas de Ventanilla son desgarradoras.",
            "La Fiscalía investiga a Repsol por contaminación ambiental tras el derrame.",
            "Se prohíbe la pesca en la zona afectada por el derrame de crudo.",
            "Repsol pide disculpas pero sigue sin limpiar el petroleo de las playas.",
        ), (
            "Las playas de Ancón siguen negras y los pescadores no pueden salir a faenar.",
            "Aves cubiertas de hidrocarburo en las islas Pescadores.",
            "¿Quién va a pagar por el desastre ecológico frente a la refinería La Pampilla?",
            "Fui a ayudar a limpiar la playa y el olor a combustible no se va.",
        )),
    },
    "seguridad_alimentaria": {
        "base": ((
            "Las ollas comunes de {lugar} atienden a {n} familias sin apoyo del Estado.",
            "El precio de los alimentos subió {pct}% en el último año.",
            "La falta de fertilizantes amenaza la próxima campaña agrícola en {dep}.",
            "Según la FAO, la mitad de peruanos vive en inseguridad alimentaria.",
            "El hambre avanza en los cerros de Lima y nadie lo ve.",
            "Agricultores de {dep} no consiguen urea: los fertilizantes triplicaron su precio.",
            "Más de {n} ollas comunes en Lima piden que se cumpla la ley que las reconoce.",
            "La seguridad alimentaria debe ser prioridad nacional.",
            "Ollas Comunes de {lugar} piden donaciones de arroz y menestras.",
        ), (
            "El balón de gas y el pollo están por las nubes, ya no alcanza para comer.",
            "En el comedor popular de {lugar} ya no hay menestras para toda la semana.",
            "Con lo que gano ya no me alcanza para el mercado, el aceite cuesta el doble.",
            "Los niños de {lugar} van al colegio sin desayunar.",
        )),
    },
}

#: Short clauses used when a post has a second topic (always contain a keyword).
SECONDARY_CLAUSES: dict[str, tuple[str, ...]] = {
    "congreso": ("y mientras tanto el Congreso mira para otro lado", "y el Congreso sin hacer nada"),
    "elecciones": ("en plena campaña de las elecciones regionales", "y los candidatos ni lo mencionan"),
    "informalidad": ("sobre todo para los trabajadores del comercio informal", "y los ambulantes son los más afectados"),
    "digitalizacion": ("y la brecha digital lo empeora", "y sin internet ni eso se puede tramitar"),
    "migracion_venezolana": ("y los migrantes venezolanos también lo sufren", "incluidas muchas familias venezolanas"),
    "derrame_petroleo": ("y encima el derrame de petróleo", "como si no bastara con el crudo en el mar"),
    "seguridad_alimentaria": ("mientras las ollas comunes no tienen qué cocinar",
                              "y el precio de los alimentos no para de subir"),
}

OFF_TOPIC_CORES: tuple[str, ...] = (
    "¡Vamos Alianza Lima! 💙 Hoy se gana en Matute.",
    "La U juega hoy, ¿quién va al Monumental?",
    "Cristal campeón, no hay otro.",
    "Arriba Perú 🇵🇪 hay que creer hasta el final.",
    "Qué friazo hace hoy en Lima, garúa todo el día.",
    "Sol de verano en {lugar}, ¿playa o piscina?",
    "El tráfico en la Javier Prado está imposible hoy.",
    "Nada como un pollo a la brasa un domingo en familia.",
    "Ceviche y chelita, así se empieza el finde.",
    "Lunes otra vez... necesito un café.",
    "Feliz cumpleaños a mi viejita linda.",
    "La combi se demoró una hora, llegué tarde otra vez.",
    "¿Recomiendan alguna serie para el fin de semana?",
    "Hoy toca chifa con la familia.",
    "Concierto de Grupo 5 en {lugar} este sábado.",
    "Qué rico el anticucho de la esquina.",
    "Mi gato destruyó la cortina otra vez.",
    "Bendecido día para todos.",
    "Se fue la luz en {lugar}, ¿a alguien más le pasó?",
    "El clásico del domingo estuvo buenazo.",
    "Ya llegó el invierno a {lugar}, saquen las chompas.",
    "Alguien sabe si hay clases mañana en {lugar}?",
    "Día de limpieza general en la casa.",
    "Qué golazo el de anoche, todavía no lo supero.",
    "Mañana madrugo para el trabajo, a dormir temprano.",
    "Extraño la comida de mi mamá.",
)
#: Off-topic sentences containing a topic keyword in another sense.
DECOYS: tuple[str, ...] = (
    "Mañana son las elecciones del club de mi barrio, voten por la lista 2.",
    "Me informé por internet del resultado del partido, qué goleada.",
    "Se viene el congreso de estudiantes de Medicina en {lugar}.",
    "Qué hambre, ya quiero mi ceviche.",
    "El ceviche es pescado crudo con limón, no me discutan.",
    "Mi abuelito tuvo un derrame cerebral, oren por él.",
    "El candidato a mejor jugador del torneo es de Cristal, sin duda.",
    "Se viene la migración de las ballenas jorobadas a Máncora.",
    "Tengo la ventanilla del carro rota y no hay repuesto.",
    "Congreso internacional de gastronomía en {lugar} este fin de semana.",
)

# --------------------------------------------------------------------------
# Sentiment cues
# --------------------------------------------------------------------------

OPENERS: dict[str, tuple[str, ...]] = {
    "positive": ("¡Qué buena noticia!", "Por fin algo bueno:", "Me alegra mucho leer esto:", "Excelente:",
                 "¡Bien ahí!", "Orgullo peruano:", "Así se hace:", "Buenísimo:", "Esto sí me da esperanza:",
                 "No está nada mal:", "Vamos avanzando:"),
    "neutral": ("Atención:", "Según el último reporte,", "Hoy se informó que", "Dato:", "Para tener en cuenta:",
                "Lo que se sabe hasta ahora:", "Informe:", "Atentos:", "Comunicado:", "Ojo con esto:"),
    "negative": ("Indignante:", "Qué vergüenza:", "Lamentable:", "Otra vez lo mismo:", "No puede ser:",
                 "Esto no está nada bien:", "Terrible:", "Qué pena,", "Increíble, y no en el buen sentido:",
                 "¿Hasta cuándo?"),
}
CLOSERS: dict[str, tuple[str, ...]] = {
    "positive": ("¡Sigamos así!", "Muy buena iniciativa.", "Hay esperanza.", "Felicitaciones a todos los que lo hicieron posible.",
                 "Así sí, Perú.", "Eso es trabajar en equipo.", "Me encanta ver esto.", "Un gran paso.",
                 "No todo está perdido."),
    "neutral": ("Más información en breve.", "Seguiremos informando.", "¿Ustedes qué opinan?", "Veremos qué pasa.",
                "Les dejo el dato.", "Habrá que esperar el informe oficial.", "Comparto para quien le sirva."),
    "negative": ("Nadie se hace responsable.", "Así no se puede.", "Una vergüenza nacional.", "No es justo.",
                 "Estamos cansados.", "Y nadie dice nada.", "Qué tristeza.", "Esto no va a terminar bien.",
                 "Nada bueno puede salir de esto.", "No hay derecho."),
}
REPLY_OPENERS: dict[str, tuple[str, ...]] = {
    "positive": ("Totalmente de acuerdo.", "Así es.", "Bien dicho.", "Gracias por compartir."),
    "neutral": ("¿Hay fuente?", "Pregunta sincera:", "Ojo,", "Una consulta:"),
    "negative": ("Falso.", "No es así.", "¿Y las pruebas?", "Qué descaro,", "No me parece nada bien."),
}
#: Colloquial cues for everyday (off-topic) chatter.
OFF_OPENERS: dict[str, tuple[str, ...]] = {
    "positive": ("¡Qué bacán!", "Lo máximo:", "Feliz:", "¡Qué rico!", "Buenazo:", "Al fin viernes:"),
    "neutral": ("Pregunta:", "Bueno,", "Y bueno,", "Dato:", "Oigan,"),
    "negative": ("Qué roche:", "Qué flojera,", "Mal día:", "Uff,", "No me gusta nada:", "Qué tal palta:"),
}
OFF_CLOSERS: dict[str, tuple[str, ...]] = {
    "positive": ("¡Lo máximo!", "Qué bonito día.", "Feliz de la vida.", "¡Vamos!", "Así da gusto.", "Bendiciones."),
    "neutral": ("En fin.", "¿Y ustedes?", "Así está la cosa.", "Ya veremos.", "Eso nomás."),
    "negative": ("Qué cólera.", "Nada me sale bien hoy.", "Qué fastidio.", "No hay derecho.", "Me quiero ir de aquí."),
}
EMOJI: dict[str, tuple[str, ...]] = {
    "positive": ("👏", "💪", "🙌", "❤️", "🇵🇪", "✨", "😊", "🎉"),
    "neutral": ("📌", "📢", "🔎", "👉", "🗞️"),
    "negative": ("😡", "😢", "😤", "🙄", "💔", "😠", "😞"),
}
MEDIA_PREFIXES: tuple[str, ...] = ("🔴", "📢", "#ÚLTIMO |", "AHORA |", "🔴 EN VIVO |", "#Actualidad |")

# --------------------------------------------------------------------------
# English and Quechua
# --------------------------------------------------------------------------

EN_CORES: dict[str, tuple[str, ...]] = {
    "congreso": ("Peru's Congress is debating yet another motion to remove the president.",
                 "Approval of Peru's Congress keeps falling, new poll shows."),
    "elecciones": ("Peru holds regional and municipal elections on October 2.",
                   "Voting is compulsory in Peru, and the lines today are long."),
    "informalidad": ("Around three in four workers in Peru earn a living in the informal economy.",
                     "Street vendors in Lima face evictions with no alternative."),
    "digitalizacion": ("Internet access in rural Peru is still very limited.",
                       "Peru's digital government platform now handles most paperwork online."),
    "migracion_venezolana": ("Peru hosts more than a million Venezuelan migrants and refugees.",
                             "Venezuelans in Lima are building small businesses against the odds."),
    "derrame_petroleo": ("Massive oil spill at the Repsol refinery near Lima.",
                         "Fishermen near Lima lost everything after the oil spill."),
    "seguridad_alimentaria": ("Food insecurity is rising in Peru as fertilizer prices soar.",
                              "Community kitchens in Lima are feeding thousands of families."),
}
EN_OFF_TOPIC: tuple[str, ...] = ("Beautiful sunset in Miraflores today.", "Machu Picchu was amazing!",
                                 "Best ceviche ever in Lima.", "Back in Cusco, missed this place.")
EN_CUES: dict[str, tuple[str, ...]] = {
    "positive": ("Great news!", "So proud.", "Love this."),
    "neutral": ("", "Thread below.", "More soon."),
    "negative": ("Terrible.", "This is not okay at all.", "So sad."),
}
QU_CORES: dict[str, tuple[str, ...]] = {
    "congreso": ("Congreso nisqapi kamachiqkuna manan llaqtata uyarinkuchu.",),
    "elecciones": ("Kay domingo akllanakuy kanqa, ama qonqankichu.",),
    "informalidad": ("Qhatupi llamk'aqkuna mana seguroyuqchu kanku.",),
    "digitalizacion": ("Llaqtaykupi manan internet kanchu, wawakuna mana yachakuyta atinkuchu.",),
    "migracion_venezolana": ("Venezuela llaqtamanta runakuna Perú suyupi llamk'ashanku.",),
    "derrame_petroleo": ("Lamar qochapi petróleo hich'akusqa, challwakunapas wañushanku.",),
    "seguridad_alimentaria": ("Mikhuykuna ancha chaniyuqña, wawakuna yarqaywan kashanku.",),
}
QU_OFF_TOPIC: tuple[str, ...] = ("Allin p'unchay llapa masikunapaq.", "Sulpayki mamay.", "Kusisqa kani kunan p'unchay.")
QU_CUES: dict[str, tuple[str, ...]] = {
    "positive": ("Ancha allin!", "Sulpayki!"),
    "neutral": ("",),
    "negative": ("Mana allinchu.", "Llakisqa kani."),
}

# --------------------------------------------------------------------------
# Hashtags and links
# --------------------------------------------------------------------------

HASHTAGS: dict[str, tuple[str, ...]] = {
    "congreso": ("#Congreso", "#FueraTodos", "#CongresoDelPerú", "#Bicameralidad"),
    "elecciones": ("#Elecciones2022", "#ONPE", "#VotoInformado", "#EleccionesRegionales2022", "#Decide2022"),
    "informalidad": ("#Informalidad", "#Emprendedores", "#Gamarra", "#TrabajoDigno", "#Mypes"),
    "digitalizacion": ("#GobiernoDigital", "#BrechaDigital", "#Internet", "#Innovación", "#TransformaciónDigital"),
    "migracion_venezolana": ("#Migrantes", "#Venezolanos", "#Refugiados", "#NoALaXenofobia", "#Integración"),
    "derrame_petroleo": ("#DerrameDePetróleo", "#Repsol", "#Ventanilla", "#SOSMarPeruano", "#JusticiaParaElMar"),
    "seguridad_alimentaria": ("#OllasComunes", "#Hambre", "#SeguridadAlimentaria", "#Fertilizantes", "#ComerEsUnDerecho"),
    "off": ("#Perú", "#Lima", "#FelizLunes", "#ArribaPerú", "#AlianzaLima", "#Universitario", "#Findesemana", "#Ceviche"),
}
EVENT_HASHTAGS: dict[str, str] = {
    "ventanilla": "#DerrameDePetróleo", "vacancia": "#VacanciaPresidencial",
    "elecciones2022": "#EleccionesRegionales2022", "peru_conectado": "#PerúConectado",
}
GENERIC_HASHTAGS: tuple[str, ...] = ("#Perú", "#Lima", "#Noticias", "#AHORA", "#Actualidad")
#: TikTok platform hashtags added to many video descriptions (no topic keyword in any of them)
TIKTOK_HASHTAGS: tuple[str, ...] = ("#fyp", "#parati", "#viral", "#perú", "#tiktokperu", "#lima", "#foryou")
#: closing lines of YouTube descriptions of organisations' channels
YOUTUBE_FOOTERS: tuple[str, ...] = (
    "Suscríbete a nuestro canal y activa la campanita 🔔",
    "Síguenos también en nuestras redes sociales.",
    "Más videos en nuestra lista de reproducción.",
    "Suscríbete para no perderte ninguna actualización.",
)
#: Hashtags safe for implicit posts: no keyword of the topic they belong to.
PLAIN_HASHTAGS: dict[str, tuple[str, ...]] = {
    t: tuple(h for h in tags if t == "off" or not has_keyword(h, t)) for t, tags in HASHTAGS.items()
}

NEWS_DOMAINS: tuple[tuple[str, str], ...] = (
    ("rpp.pe", "peru/actualidad"), ("larepublica.pe", "sociedad/2022"), ("elcomercio.pe", "peru"),
    ("andina.pe", "agencia/noticia"), ("gob.pe", "institucion/noticias"), ("infobae.com", "america/peru"),
    ("ojo-publico.com", "especiales"), ("convoca.pe", "agenda-propia"), ("exitosanoticias.pe", "actualidad"),
    ("canaln.pe", "actualidad"), ("peru21.pe", "peru"), ("diariocorreo.pe", "edicion/arequipa"),
)
URL_SLUGS: dict[str, tuple[str, ...]] = {
    "congreso": ("pleno-del-congreso-aprueba-proyecto", "congreso-archiva-reforma", "mocion-de-vacancia-votacion"),
    "elecciones": ("elecciones-regionales-2022-resultados-onpe", "jne-excluye-candidatos", "donde-me-toca-votar"),
    "informalidad": ("informalidad-laboral-inei-cifras", "comercio-ambulatorio-operativos", "emprendedores-credito"),
    "digitalizacion": ("brecha-digital-zonas-rurales", "gobierno-digital-tramites-en-linea", "conectividad-colegios"),
    "migracion_venezolana": ("migrantes-venezolanos-ptp", "venezolanos-en-peru-cifras", "xenofobia-estudio"),
    "derrame_petroleo": ("derrame-de-petroleo-ventanilla-repsol", "oefa-derrame-crudo", "pescadores-afectados-derrame"),
    "seguridad_alimentaria": ("ollas-comunes-lima-apoyo", "precio-de-los-alimentos-inflacion", "fertilizantes-urea-escasez"),
    "off": ("alianza-lima-vs-universitario", "clima-lima-senamhi", "receta-pollo-a-la-brasa", "seleccion-peruana-repechaje"),
}
IMAGE_TEXTS: dict[str, tuple[str, ...]] = {
    "congreso": ("CONGRESO DE LA REPÚBLICA", "ÚLTIMO MINUTO"),
    "elecciones": ("ELECCIONES 2022", "¿DÓNDE VOTO?"),
    "informalidad": ("FORMALÍZATE", "ÚLTIMO MINUTO"),
    "digitalizacion": ("#PerúConectado", "TRÁMITES EN LÍNEA"),
    "migracion_venezolana": ("NO A LA XENOFOBIA", "ÚLTIMO MINUTO"),
    "derrame_petroleo": ("SOS MAR PERUANO", "ÚLTIMO MINUTO"),
    "seguridad_alimentaria": ("OLLAS COMUNES", "DONA AQUÍ"),
    "off": ("FELIZ LUNES", "PROMO", ""),
}

_PLACEHOLDER_RE = re.compile(r"\{(\w+)\}")

Template = tuple[tuple[str, ...], tuple[str, ...]]  # (literal parts, placeholder names)


def compile_template(text: str) -> Template:
    """Split ``text`` into literal parts and placeholder names (len(parts) == len(names) + 1)."""
    pieces = _PLACEHOLDER_RE.split(text)
    return tuple(pieces[0::2]), tuple(pieces[1::2])


def fill(template: Template, r: int) -> str:
    """Fill a compiled template, drawing each placeholder value from bits of ``r``."""
    parts, names = template
    if not names:
        return parts[0]
    out = [parts[0]]
    for j, name in enumerate(names):
        values = PLACEHOLDERS[name]
        out.append(values[(r >> (6 * j)) % len(values)])
        out.append(parts[j + 1])
    return "".join(out)
