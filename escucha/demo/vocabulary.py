"""Names, places and organisations used to build the synthetic population.

Everything here is plain data (tuples of strings and weights).  Lists are
ordered and never built from sets, so indexing them with seeded random
numbers is deterministic.
"""
from __future__ import annotations

import unicodedata

# --------------------------------------------------------------------------
# Places
# --------------------------------------------------------------------------

#: (department, INEI ubigeo code, relative weight of social-media users,
#:  free-text location variants people write in their profiles)
DEPARTMENTS: tuple[tuple[str, str, float, tuple[str, ...]], ...] = (
    ("Amazonas", "01", 0.38, ("Chachapoyas", "Amazonas, Perú", "Bagua")),
    ("Áncash", "02", 1.08, ("Huaraz", "Chimbote", "Áncash", "Huaraz - Perú", "Chimbote 🇵🇪")),
    ("Apurímac", "03", 0.41, ("Abancay", "Andahuaylas", "Apurímac")),
    ("Arequipa", "04", 1.38, ("Arequipa, Perú", "Arequipa", "AQP", "Ciudad Blanca", "Arequipa 🌋")),
    ("Ayacucho", "05", 0.62, ("Ayacucho", "Huamanga", "Ayacucho - Perú")),
    ("Cajamarca", "06", 1.34, ("Cajamarca", "Jaén", "Cajamarca, Perú")),
    ("Callao", "07", 0.99, ("Callao", "Chalaco", "Ventanilla, Callao", "Bellavista - Callao", "La Punta")),
    ("Cusco", "08", 1.20, ("Cusco - Perú", "Cusco", "Qosqo", "Cuzco", "Cusco, Perú 🏔️")),
    ("Huancavelica", "09", 0.35, ("Huancavelica", "Huancavelica, Perú")),
    ("Huánuco", "10", 0.72, ("Huánuco", "Tingo María")),
    ("Ica", "11", 0.85, ("Ica", "Chincha", "Ica - Perú", "Pisco")),
    ("Junín", "12", 1.25, ("Huancayo", "Junín", "Huancayo, Perú", "Tarma")),
    ("La Libertad", "13", 1.78, ("Trujillo", "Trujillo, Perú", "La Libertad", "Trujillo 🌞")),
    ("Lambayeque", "14", 1.20, ("Chiclayo", "Lambayeque", "Chiclayo - Perú")),
    ("Lima", "15", 12.0, ("Lima", "Lima, Perú", "Lima - Perú", "SJL", "VMT", "San Juan de Lurigancho",
                          "Miraflores, Lima", "Comas", "Los Olivos", "SMP", "Lima 🇵🇪", "Chorrillos",
                          "Surco", "Villa El Salvador", "Ate", "Huacho", "Cañete", "lima")),
    ("Loreto", "16", 0.88, ("Iquitos", "Loreto", "Iquitos, Perú 🌴")),
    ("Madre de Dios", "17", 0.14, ("Puerto Maldonado", "Madre de Dios")),
    ("Moquegua", "18", 0.17, ("Moquegua", "Ilo")),
    ("Pasco", "19", 0.25, ("Cerro de Pasco", "Pasco")),
    ("Piura", "20", 1.85, ("Piura 🇵🇪", "Piura", "Sullana", "Piura, Perú", "Máncora")),
    ("Puno", "21", 1.17, ("Puno", "Juliaca", "Puno, Perú", "Puno - Lago Titicaca")),
    ("San Martín", "22", 0.81, ("Tarapoto", "Moyobamba", "San Martín")),
    ("Tacna", "23", 0.33, ("Tacna", "Tacna, Perú")),
    ("Tumbes", "24", 0.22, ("Tumbes", "Zorritos")),
    ("Ucayali", "25", 0.50, ("Pucallpa", "Ucayali")),
)
DEPARTMENT_NAMES: tuple[str, ...] = tuple(d[0] for d in DEPARTMENTS)
DEPARTMENT_INDEX: dict[str, int] = {d[0]: i for i, d in enumerate(DEPARTMENTS)}

#: Southern departments (weights) for the "southern regions" community.
SOUTH_WEIGHTS: dict[str, float] = {
    "Arequipa": 1.38, "Cusco": 1.2, "Puno": 1.17, "Tacna": 0.33, "Moquegua": 0.17,
    "Apurímac": 0.41, "Ayacucho": 0.62, "Madre de Dios": 0.14,
}
#: Where Venezuelans living in Peru concentrate.
DIASPORA_WEIGHTS: dict[str, float] = {
    "Lima": 0.70, "Callao": 0.07, "La Libertad": 0.07, "Arequipa": 0.05,
    "Piura": 0.05, "Cusco": 0.03, "Tumbes": 0.03,
}

#: Profile locations that say nothing about the department.
VAGUE_LOCATIONS: tuple[str, ...] = (
    "Perú", "Peru", "Perú 🇵🇪", "🇵🇪", "en mi casa", "Sudamérica", "Planeta Tierra 🌎",
    "donde me lleve el viento", "", "Latinoamérica", "en todas partes",
)
#: country code -> location strings
ABROAD_LOCATIONS: dict[str, tuple[str, ...]] = {
    "VE": ("Caracas, Venezuela", "Venezuela", "Maracaibo", "Valencia, Venezuela 🇻🇪", "Caracas"),
    "CO": ("Bogotá", "Cúcuta", "Medellín, Colombia"),
    "CL": ("Santiago de Chile", "Santiago, Chile"),
    "AR": ("Buenos Aires", "Buenos Aires, Argentina"),
    "ES": ("Madrid", "Madrid, España", "Barcelona"),
    "US": ("Miami, FL", "New Jersey, USA", "Los Ángeles"),
    "IT": ("Milano", "Roma, Italia"),
    "EC": ("Guayaquil", "Quito"),
}
ABROAD_DIASPORA: tuple[tuple[str, float], ...] = (("VE", 0.5), ("CO", 0.15), ("CL", 0.12), ("ES", 0.12), ("US", 0.11))
ABROAD_PERUVIANS: tuple[tuple[str, float], ...] = (("ES", 0.3), ("US", 0.3), ("AR", 0.15), ("CL", 0.15), ("IT", 0.1))

#: Cities and districts used inside post texts (none contains a topic keyword).
PLACES_IN_TEXT: tuple[str, ...] = (
    "San Juan de Lurigancho", "Villa El Salvador", "Comas", "Ate", "Puente Piedra", "Carabayllo",
    "Arequipa", "Cusco", "Juliaca", "Trujillo", "Piura", "Chiclayo", "Huancayo", "Iquitos",
    "Pucallpa", "Ayacucho", "Tacna", "Chimbote", "Huánuco", "Cajamarca", "Villa María del Triunfo",
    "San Martín de Porres", "Independencia", "Pachacútec", "Sullana", "Puno", "Tarapoto", "Ica",
)
DISTRICTS: tuple[str, ...] = (
    "SJL", "Comas", "Ate", "VES", "VMT", "Los Olivos", "Puente Piedra", "Carabayllo", "Surquillo",
    "Chorrillos", "El Agustino", "Independencia", "Rímac", "La Victoria", "Breña", "Lurín",
)
DEMONYMS: dict[str, tuple[str, str]] = {
    "Arequipa": ("Arequipeña de corazón 🌋", "Arequipeño de corazón 🌋"),
    "Cusco": ("Cusqueña 🏔️", "Cusqueño 🏔️"),
    "Callao": ("Chalaca hasta la muerte", "Chalaco hasta la muerte"),
    "Piura": ("Piurana de pura cepa ☀️", "Piurano de pura cepa ☀️"),
    "La Libertad": ("Trujillana 🌞", "Trujillano 🌞"),
    "Puno": ("Puneña orgullosa", "Puneño orgulloso"),
    "Loreto": ("Charapita 🌴", "Charapa 🌴"),
    "Lima": ("Limeña", "Limeño"),
    "Junín": ("Huancaína", "Huancaíno"),
    "Lambayeque": ("Chiclayana", "Chiclayano"),
}

# --------------------------------------------------------------------------
# Person names
# --------------------------------------------------------------------------

FEMALE_NAMES: tuple[str, ...] = (
    "María", "Rosa", "Carmen", "Ana", "Lucía", "Sofía", "Valeria", "Camila", "Milagros", "Luz",
    "Flor", "Juana", "Elena", "Patricia", "Gabriela", "Andrea", "Fiorella", "Yesenia", "Maribel",
    "Gladys", "Nelly", "Ruth", "Kelly", "Yuli", "Jazmín", "Daniela", "Mariana", "Ximena",
    "Alessandra", "Nicole", "Karla", "Diana", "Liliana", "Julia", "Teresa", "Verónica", "Noemí",
    "Rocío", "Pilar", "Mónica", "Sandra", "Vanessa", "Claudia", "Brenda", "Lizbeth", "Sonia",
)
ANDEAN_FEMALE: tuple[str, ...] = ("Sumaq", "Illari", "Nayra", "Ccori", "Wayta", "Killa", "Yaku", "Chaska")
MALE_NAMES: tuple[str, ...] = (
    "José", "Juan", "Luis", "Carlos", "Jorge", "Miguel", "César", "Víctor", "Pedro", "Jesús",
    "Alejandro", "Diego", "Renzo", "Piero", "Jhon", "Jhonatan", "Brayan", "Kevin", "Wilmer",
    "Edwin", "Walter", "Raúl", "Martín", "Sebastián", "Mateo", "Ángel", "Héctor", "Fernando",
    "Julio", "Álvaro", "Óscar", "Rubén", "Iván", "Hugo", "Ernesto", "Gustavo", "Marco", "Franco",
    "Christian", "Percy", "Elmer", "Alberto", "Manuel", "Javier", "Ricardo", "Nilton",
)
ANDEAN_MALE: tuple[str, ...] = ("Inti", "Amaru", "Túpac", "Wayra", "Kusi", "Atoq", "Mayta", "Huáscar")
VENEZUELAN_FEMALE: tuple[str, ...] = (
    "Yusmary", "Yoselin", "Maryelis", "Génesis", "Oriana", "Andreína", "Eglis", "Daniela",
    "Mariangel", "Yennifer", "Francis", "Roxana",
)
VENEZUELAN_MALE: tuple[str, ...] = (
    "Yorman", "Deivis", "Yonaiker", "Jesús", "José Gregorio", "Luis", "Wilmer", "Freddy",
    "Johan", "Eduardo", "Reinaldo", "Anderson",
)
SURNAMES: tuple[str, ...] = (
    "Quispe", "Mamani", "Huamán", "Flores", "Rodríguez", "García", "Chávez", "Condori", "Rojas",
    "Vargas", "Torres", "Ramos", "Sánchez", "Díaz", "Mendoza", "Castillo", "Gutiérrez", "Salazar",
    "Espinoza", "Fernández", "López", "Romero", "Vásquez", "Cárdenas", "Palomino", "Cáceres",
    "Zapata", "Chumpitaz", "Paredes", "Aguilar", "Cruz", "Ríos", "Medina", "Ruiz", "Peña", "Núñez",
    "Ibáñez", "Muñoz", "Herrera", "Silva", "Morales", "Reyes", "Valdivia", "Benavides", "Lozano",
)
ANDEAN_SURNAMES: tuple[str, ...] = (
    "Yupanqui", "Ccori", "Ccahuana", "Huanca", "Apaza", "Cusi", "Ticona", "Choque", "Pari",
    "Ñaupari", "Huarcaya", "Wayta", "Sumaq", "Illari", "Nayra", "Quispe", "Mamani", "Condori",
    "Huillca", "Ccapa", "Chambi", "Atausupa",
)
VENEZUELAN_SURNAMES: tuple[str, ...] = (
    "González", "Pérez", "Hernández", "Rodríguez", "Martínez", "Díaz", "Sánchez", "Rivas",
    "Colmenares", "Mendoza", "Briceño", "Parra", "Villegas", "Guerrero", "Marcano",
)
NICKNAMES_F: tuple[str, ...] = (
    "La Flaca de {d}", "Rosita 🌸", "Doña Carmen", "La Chinita", "Gordita linda 💕", "La Negrita ✨",
    "Mamá luchona 💪", "La Cholita de {d}",
)
NICKNAMES_M: tuple[str, ...] = (
    "El Chato", "Don Lucho", "El Cholo de {d}", "Flaco Rojas", "El Tío Pepe", "Chino de {d}",
    "Compadre Willy", "El Gringo",
)
NEUTRAL_DISPLAY: tuple[str, ...] = (
    "Vecin@ de {d}", "Ciudadanía activa", "{d} 🇵🇪", "Anónimo {n}", "Usuario {n}", "Alguien en {d}",
)

EMOJI_NAME: tuple[str, ...] = ("🌻", "✨", "🇵🇪", "💙", "⚽", "🌸", "🔥", "🌿", "🙏", "📚", "🎶", "🦙", "🇻🇪", "☀️", "💚")

# --------------------------------------------------------------------------
# Bios
# --------------------------------------------------------------------------

STUDENT_BIOS: tuple[str, ...] = (
    "Estudiante de Derecho en la PUCP", "Estudiante de Ingeniería en la UNI", "Cachimbo de San Marcos",
    "Estudiante de Enfermería en la UNSAAC", "Estudiante de Comunicaciones en la U de Lima",
    "Estudiante de Medicina en la UNSA", "Estudiante de Contabilidad", "Estudiante de Psicología en la UPC",
    "Estudiante de Economía en la Pacífico", "Estudiante de Sociología en San Marcos",
)
#: (female form, male form)
ADULT_OCCUPATIONS: tuple[tuple[str, str], ...] = (
    ("Abogada", "Abogado"), ("Ingeniera civil", "Ingeniero civil"), ("Enfermera", "Enfermero"),
    ("Periodista", "Periodista"), ("Docente de primaria", "Docente de secundaria"), ("Contadora", "Contador"),
    ("Comerciante en Gamarra", "Comerciante en Gamarra"), ("Médica", "Médico"),
    ("Diseñadora gráfica", "Diseñador gráfico"), ("Psicóloga", "Psicólogo"), ("Chef", "Chef"),
    ("Administradora", "Administrador"), ("Mamá de dos", "Papá de dos"), ("Agricultora", "Agricultor"),
    ("Taxista", "Taxista"), ("Economista", "Economista"), ("Bióloga marina", "Biólogo marino"),
    ("Profesora rural", "Profesor rural"), ("Politóloga", "Politólogo"), ("Obstetra", "Ingeniero de sistemas"),
)
SENIOR_OCCUPATIONS: tuple[tuple[str, str], ...] = (
    ("Jubilada", "Jubilado"), ("Abuela de tres", "Abuelo de tres"), ("Profesora jubilada", "Profesor jubilado"),
    ("Docente cesante", "Docente cesante"),
)
NEUTRAL_OCCUPATIONS: tuple[str, ...] = ("Periodista", "Docente", "Economista", "Comerciante", "Chef", "Estudiante")
INTERESTS_F: tuple[str, ...] = (
    "Hincha de Alianza Lima 💙", "Crema de corazón ⚽", "Amante del ceviche", "Mamá de Luciana 💕",
    "Opiniones personales", "Creyente 🙏", "Fan de la cumbia", "Lectora empedernida 📚",
    "Feminista", "Amo a mis perritos 🐶", "Viajera", "Celeste de corazón ☁️",
)
INTERESTS_M: tuple[str, ...] = (
    "Hincha de Alianza Lima 💙", "Crema de corazón ⚽", "Amante del ceviche", "Papá de Thiago",
    "Opiniones personales", "Cristiano 🙏", "Rockero", "Lector empedernido 📚", "Ciclista 🚲",
    "Celeste de corazón ☁️", "Gamer 🎮", "Hincha del Melgar",
)
DIASPORA_BIO: tuple[tuple[str, str], ...] = (
    ("Venezolana en Lima 🇻🇪🇵🇪", "Venezolano en Lima 🇻🇪🇵🇪"), ("Caraqueña de corazón", "Caraqueño de corazón"),
    ("Migrante y emprendedora", "Migrante y emprendedor"), ("De Maracaibo para el mundo", "De Maracaibo para el mundo"),
)
AGE_BANDS: tuple[str, ...] = ("18-24", "25-34", "35-44", "45-54", "55+")
AGE_BAND_P: tuple[float, ...] = (0.24, 0.32, 0.21, 0.13, 0.10)
AGE_BAND_RANGE: tuple[tuple[int, int], ...] = ((18, 24), (25, 34), (35, 44), (45, 54), (55, 76))

# --------------------------------------------------------------------------
# Communities and organisations
# --------------------------------------------------------------------------

#: (id, name, share of persons)
COMMUNITIES: tuple[tuple[int, str, float], ...] = (
    (0, "oficialismo", 0.13),
    (1, "oposicion", 0.21),
    (2, "ambientalistas", 0.12),
    (3, "medios_lima", 0.20),
    (4, "regiones_sur", 0.21),
    (5, "diaspora_venezolana", 0.13),
)
ACCOUNT_TYPES: tuple[str, ...] = ("person", "media", "government", "ngo", "business", "other")

#: Planted influential accounts per community:
#: (display name, handle, account type, department, gender or None, bio)
INFLUENCERS: dict[int, tuple[tuple[str, str, str, str, str | None, str], ...]] = {
    0: (
        ("Presidencia del Perú", "presidenciaperu", "government", "Lima", None,
         "Cuenta oficial de la Presidencia de la República del Perú 🇵🇪"),
        ("PCM Perú", "pcmperu", "government", "Lima", None, "Presidencia del Consejo de Ministros."),
        ("Iniciativa Perú Conectado", "PeruConectadoPE", "ngo", "Lima", None,
         "Cerramos la brecha digital del Perú, una comunidad a la vez. #PerúConectado"),
        ("Carmen Salcedo Ríos", "carmensalcedo_r", "person", "Lima", "female",
         "Abogada. Ex viceministra. Opiniones personales."),
        ("Jorge Tello Huamán", "jtellohuaman", "person", "Lima", "male", "Analista político. Docente universitario."),
    ),
    1: (
        ("Voz Ciudadana Perú", "vozciudadanape", "other", "Lima", None, "Fiscalizamos al poder. Sin miedo."),
        ("Patricia Llosa Benavides", "pllosab", "person", "Lima", "female", "Economista. Columnista. Madre de tres."),
        ("Ricardo Valdivia Prado", "rvaldiviaprado", "person", "Arequipa", "male",
         "Congresista 2016-2019. Arequipeño de corazón 🌋"),
        ("Observatorio Político", "ObsPoliticoPE", "ngo", "Lima", None, "Datos y análisis de la política peruana."),
        ("Andrés Mendoza Ruiz", "andresmendozar", "person", "Lima", "male", "Periodista independiente."),
    ),
    2: (
        ("Oceana Perú", "oceana_peru", "ngo", "Lima", None, "Protegemos los océanos del Perú 🌊"),
        ("Actualidad Ambiental", "actualidadamb", "media", "Lima", None, "Noticias ambientales del Perú y el mundo."),
        ("Mar Limpio Perú", "marlimpioperu", "ngo", "Lima", None, "Colectivo ciudadano por un mar sin contaminación."),
        ("Ministerio del Ambiente", "MinamPeru", "government", "Lima", None,
         "Cuenta oficial del Ministerio del Ambiente del Perú."),
        ("Lucía Ccori Mamani", "luciaccori", "person", "Cusco", "female", "Bióloga marina. Activista climática 🌿"),
    ),
    3: (
        ("RPP Noticias", "RPPNoticias", "media", "Lima", None, "La información más importante del Perú y el mundo."),
        ("La República", "larepublica_pe", "media", "Lima", None, "Diario La República. Noticias del Perú."),
        ("El Comercio", "elcomercio_peru", "media", "Lima", None, "Decano de la prensa nacional."),
        ("Canal N", "canalN_", "media", "Lima", None, "Noticias las 24 horas."),
        ("Exitosa Noticias", "exitosape", "media", "Lima", None, "¡La voz de los que no tienen voz!"),
    ),
    4: (
        ("Radio Yaraví", "radioyaravi", "media", "Arequipa", None, "Noticias de Arequipa y el sur del Perú 📻"),
        ("Diario Los Andes", "losandespuno", "media", "Puno", None, "Decano de la prensa puneña."),
        ("Municipalidad de Arequipa", "MuniArequipa", "government", "Arequipa", None,
         "Cuenta oficial de la Municipalidad Provincial de Arequipa."),
        ("Radio Universal Cusco", "universalcusco", "media", "Cusco", None, "Informando al Cusco desde 1980."),
        ("Wayta Quispe Yupanqui", "waytaquispe", "person", "Puno", "female",
         "Dirigenta aymara. Defensora del agua y la tierra."),
    ),
    5: (
        ("Unión Venezolana en Perú", "uvenezolanape", "ngo", "Lima", None,
         "Asociación de venezolanos en el Perú. Orientación legal y apoyo."),
        ("Venezolanos en Lima", "VzlaEnLima", "other", "Lima", None, "Comunidad venezolana en Lima 🇻🇪🇵🇪"),
        ("Yusmary Colmenares", "yusmarycol", "person", "Lima", "female",
         "Venezolana en Lima 🇻🇪🇵🇪 Periodista. Emprendedora."),
        ("ACNUR Perú", "ACNURPeru", "ngo", "Lima", None, "Agencia de la ONU para los refugiados en el Perú."),
        ("Deivis Rivas", "deivisrivas", "person", "Lima", "male", "Caraqueño en Lima. Creador de contenido 🎥"),
    ),
}

#: Templates for ordinary organisations, per type. {c}=city, {d}=department, {x}=word, {k}=district
ORG_TEMPLATES: dict[str, tuple[str, ...]] = {
    "media": ("Radio {x} {c}", "{c} Noticias", "Diario {x}", "TV {c}", "Noticias {d} al Día",
              "El Informativo de {c}", "Radio {c} {f}", "Semanario {x}", "{c} en Línea"),
    "government": ("Municipalidad de {c}", "Municipalidad Distrital de {k}", "Gobierno Regional de {d}",
                   "Dirección Regional de Salud {d}", "Hospital Regional de {c}", "Defensoría del Pueblo {d}",
                   "Ministerio de Cultura {d}", "Prefectura de {c}"),
    "ngo": ("Cáritas {c}", "Comedores de {k}", "Asociación de Mujeres de {k}", "Colectivo Juventud {c}",
            "Fundación {x}", "Red de Mujeres de {c}", "Mesa de Concertación {d}", "Voluntariado {x}"),
    "business": ("Pollería El {x}", "Bodega Don {m}", "Cevichería {x}", "Ferretería {c}", "Gamarra Moda {x}",
                 "Panadería {x}", "Agroexportadora {x} SAC", "Tech {c} Perú", "Minimarket {x}"),
    "other": ("Memes Peruanos {x}", "{c} Informa", "Hinchas de {x}", "Confesiones {u}", "Perú Curioso",
              "Vecinos de {k}", "{c} Antiguo", "Yo amo {c}"),
}
ORG_WORDS: tuple[str, ...] = (
    "Sol", "Andina", "Oriente", "Libertad", "Primavera", "Sur", "Norte", "Pacífico", "Inca", "Cóndor",
    "Nazca", "Amauta", "Wari", "Chavín", "Huascarán", "Misti", "Titicaca", "Moche", "Rímac", "Amanecer",
)
ORG_BIOS: dict[str, tuple[str, ...]] = {
    "media": ("Noticias de {c} las 24 horas.", "Periodismo independiente desde {c}.", "Información y entretenimiento 📻",
              "Diario regional fundado en 1985.", "Tu fuente de noticias en {d}."),
    "government": ("Cuenta oficial.", "Trabajando por el desarrollo de {c} 🇵🇪", "Canal oficial de comunicación.",
                   "Al servicio de la ciudadanía de {d}."),
    "ngo": ("Organización sin fines de lucro.", "Colectivo ciudadano de {c}.", "Trabajamos por la niñez de {d}.",
            "Voluntariado y acción social 💚"),
    "business": ("Pedidos por DM 📦", "Delivery a todo {c} 🛵", "Atención de lunes a sábado.", "Calidad desde 1998."),
    "other": ("Memes, noticias y más 😂", "La comunidad de {c} en redes.", "Página no oficial.", "Lo mejor de {d}."),
}
FB_CATEGORIES: dict[str, tuple[str, ...]] = {
    "person": ("PERSON", "PUBLIC_FIGURE", "BLOGGER", "JOURNALIST", "POLITICIAN", "ARTIST", "COMMUNITY"),
    "media": ("MEDIA_NEWS_COMPANY", "NEWS_SITE", "RADIO_STATION", "BROADCASTING_MEDIA_PRODUCTION", "NEWSPAPER"),
    "government": ("GOVERNMENT_ORGANIZATION",),
    "ngo": ("NONPROFIT_ORGANIZATION", "COMMUNITY_ORGANIZATION", "NON_GOVERNMENTAL_ORGANIZATION_NGO"),
    "business": ("LOCAL_BUSINESS", "RESTAURANT", "SHOPPING_RETAIL", "COMPANY", "CLOTHING_STORE"),
    "other": ("COMMUNITY", "ENTERTAINMENT_WEBSITE", "MEDIA"),
}
UNIVERSITIES: tuple[str, ...] = ("PUCP", "San Marcos", "UNI", "UNSA", "UNSAAC", "UPC", "U de Lima", "UNT")


def strip_accents(text: str) -> str:
    """Remove diacritics (á -> a, ñ -> n)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def handle_base(text: str) -> str:
    """Keep only characters valid in an X handle: ASCII letters, digits and '_'."""
    plain = strip_accents(text)
    return "".join(ch for ch in plain if ch.isascii() and (ch.isalnum() or ch == "_"))
