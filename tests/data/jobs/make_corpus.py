"""Writes the job-mail corpus (tests/data/jobs/*.eml) and its labels (expected.json).

Run once by hand after editing (`python tests/data/jobs/make_corpus.py`); the .eml files and
expected.json are committed, the tests read those. Each message is written to a vendor's
documented shape (sender, display name, Message-ID, links) or to a person's usual wording;
the bodies are written one by one, not one template with the names swapped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CORPUS: dict[str, tuple[str, dict[str, Any] | None]] = {}
ME = "Alex Seeker <alex@seeker.example>"


def job(event: str, ats: str | None, company: str | None, **more: Any) -> dict[str, Any]:
    return {"event": event, "ats": ats, "company": company, **more}


def add(
    name: str,
    sender: str,
    subject: str,
    body: str,
    expect: dict[str, Any] | None,
    *,
    date: str = "Mon, 9 Mar 2026 09:14:00 +0000",
    headers: tuple[str, ...] = (),
    ics: str = "",
    html: bool = False,
) -> None:
    domain = sender.rpartition("@")[2].rstrip(">")
    head = [f"From: {sender}", f"To: {ME}", f"Subject: {subject}", f"Date: {date}"]
    head += [f"Message-ID: <{name}.{len(CORPUS) + 1:04d}@{domain}>", *headers, "MIME-Version: 1.0"]
    text = body.strip("\n") + "\n"
    if html:
        paras = "".join(f"<p>{p.replace(chr(10), '<br>')}</p>\n" for p in text.split("\n\n"))
        part = f"Content-Type: text/html; charset=utf-8\n\n<html><body>\n{paras}</body></html>\n"
    else:
        part = f"Content-Type: text/plain; charset=utf-8\n\n{text}"
    if ics:
        boundary = f"=_part_{len(CORPUS):04d}"
        cal = f"Content-Type: text/calendar; charset=utf-8; method=REQUEST\nContent-Disposition: attachment; filename=invite.ics\n\n{ics.strip()}\n"
        raw = "\n".join(head) + f'\nContent-Type: multipart/mixed; boundary="{boundary}"\n\n'
        raw += f"--{boundary}\n{part}--{boundary}\n{cal}--{boundary}--\n"
    else:
        raw = "\n".join(head) + "\n" + part
    assert name not in CORPUS, name
    CORPUS[name] = (raw, expect)


def vevent(
    uid: str, start: str, end: str, summary: str, organizer: str, method: str = "REQUEST"
) -> str:
    return f"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//followthru corpus//EN
METHOD:{method}
BEGIN:VEVENT
UID:{uid}
DTSTAMP:20260309T090000Z
DTSTART:{start}
DTEND:{end}
SUMMARY:{summary}
ORGANIZER:mailto:{organizer}
ATTENDEE;CN=Alex Seeker:mailto:alex@seeker.example
END:VEVENT
END:VCALENDAR"""


def write() -> None:
    for old in HERE.glob("*.eml"):
        old.unlink()
    labels = {}
    for name, (raw, expect) in sorted(CORPUS.items()):
        (HERE / f"{name}.eml").write_text(raw, encoding="utf-8")
        labels[f"{name}.eml"] = {"job": expect}
    text = json.dumps(labels, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    (HERE / "expected.json").write_text(text, encoding="utf-8")


# ==================================================================== Greenhouse
GH = "no-reply@us.greenhouse-mail.io"
GH_EU = "no-reply@eu.greenhouse-mail.io"
GH_RP = ("Return-Path: <bounces+1234-abcd@us.greenhouse-mail.io>",)

add(
    "greenhouse-ack-kestrel",
    f"Kestrel Analytics <{GH}>",
    "Thank you for applying to Kestrel Analytics",
    """Hi Alex,

Thank you for your interest in Kestrel Analytics! We wanted to let you know we received your
application for Senior Data Engineer, and we are delighted that you would consider joining our team.

Our team will review your application and will be in touch if your qualifications match our needs
for the role. If you are not selected for this position, keep an eye on our jobs page as we're
growing and adding openings.

Best,
The Kestrel Analytics Recruiting Team
""",
    job("application_received", "greenhouse", "Kestrel Analytics", role="Senior Data Engineer"),
    headers=GH_RP,
)

add(
    "greenhouse-ack-eu-nimbus",
    f"Nimbus Cloud <{GH_EU}>",
    "Nimbus Cloud - Application received",
    """Hello Alex,

Thanks for applying to Nimbus Cloud. Your application for the Platform Engineer (Berlin) role has
been received and a member of our Talent team will review it shortly.

You can expect to hear from us within two weeks.

Nimbus Cloud Talent
""",
    job("application_received", "greenhouse", "Nimbus Cloud"),
)

add(
    "greenhouse-request-hooli",
    f"Priya Raman <{GH}>",
    "Next steps with Hooli",
    """Hi Alex,

Thanks so much for applying for the Staff Product Designer position at Hooli. I'd love to set up a
30 minute call to learn more about your background and tell you about the team.

Please use the link below to select a time that works for you:
https://app.greenhouse.io/scheduling/select/4f1c0d9a

Looking forward to it,
Priya Raman
Recruiter, Hooli
""",
    job("interview_request", "greenhouse", "Hooli", role="Staff Product Designer"),
    headers=("Reply-To: Priya Raman <priya.raman@hooli.example>",),
)

add(
    "greenhouse-scheduled-ics-tessera",
    f"Tessera <{GH}>",
    "Interview Confirmation: Alex Seeker for Backend Engineer at Tessera",
    """Hi Alex,

Your interview has been scheduled. Please find the details below and an invitation attached.

Date: Tuesday, March 17, 2026
Time: 10:00 - 13:00 CET (three back-to-back conversations)
Location: Google Meet (link in the invitation)

Interviewers: Mara Köhler (Engineering Manager), Tom Eriksen (Staff Engineer), Lina Duarte (Product)

If you need to reschedule, just reply to this email.

Tessera Recruiting
""",
    job("interview_scheduled", "greenhouse", "Tessera", role="Backend Engineer"),
    ics=vevent(
        "gh-itin-7781@greenhouse.io",
        "20260317T090000Z",
        "20260317T120000Z",
        "Interview: Alex Seeker - Backend Engineer",
        "recruiting@tessera.example",
    ),
)

add(
    "greenhouse-rejection-brightline",
    f"Brightline <{GH}>",
    "Your application to Brightline",
    """Hi Alex,

Thank you for your interest in the Senior Frontend Engineer role at Brightline and for the time you
invested in our process.

After careful consideration, we have decided to move forward with other candidates whose experience
more closely matches what we need right now. We truly appreciate you thinking of Brightline and
wish you the very best in your search.

Kind regards,
Brightline Talent Team
""",
    job("rejection", "greenhouse", "Brightline", role="Senior Frontend Engineer"),
    headers=GH_RP,
)

add(
    "greenhouse-rejection-eu-de-fernweh",
    f"Fernweh Reisen <{GH_EU}>",
    "Ihre Bewerbung bei Fernweh Reisen",
    """Hallo Alex,

vielen Dank für Ihr Interesse an der Position als Produktmanager (m/w/d) und die Zeit, die Sie in
Ihre Bewerbung investiert haben.

Leider müssen wir Ihnen mitteilen, dass wir uns für eine andere Kandidatin entschieden haben, deren
Profil noch besser zu unseren aktuellen Anforderungen passt.

Wir wünschen Ihnen für Ihre berufliche Zukunft alles Gute.

Mit freundlichen Grüßen
Ihr Fernweh Reisen Recruiting-Team
""",
    job("rejection", "greenhouse", "Fernweh Reisen"),
)

add(
    "greenhouse-assessment-pied-piper",
    f"Pied Piper <{GH}>",
    "Pied Piper: Take-home assignment",
    """Hi Alex,

Great speaking with you on Thursday! As a next step we'd like you to complete a short take-home
assignment. You'll find the brief and the starter repository here:
https://app.greenhouse.io/tests/a81e2c

Please complete it by 20 March 2026. It should take around three hours; don't spend more than that.

Cheers,
Dinesh, on behalf of the Pied Piper hiring team
""",
    job("assessment", "greenhouse", "Pied Piper", deadline="2026-03-20"),
)

add(
    "greenhouse-offer-oscorp",
    f"Nora Vance <{GH}>",
    "Your offer from Oscorp",
    """Hi Alex,

On behalf of everyone at Oscorp, I'm thrilled to extend you an offer to join us as Lead Platform
Engineer! Your offer letter is attached; please review it and let me know if you have any questions.

We'd love to have your answer by March 16.

Warmly,
Nora Vance
Head of Talent, Oscorp
""",
    job("offer", "greenhouse", "Oscorp"),
    headers=("Reply-To: nora.vance@oscorp.example",),
)

add(
    "greenhouse-paused-freeze-lumen",
    f"Lumen Bank <{GH}>",
    "Update on your application to Lumen Bank",
    """Hi Alex,

I wanted to give you a quick update. Unfortunately, due to a company-wide hiring freeze, the
Risk Analyst position has been put on hold for now. This is not a reflection on you or your
candidacy; we were impressed with your interviews.

We hope to reopen the role in the second quarter and will reach out to you first if we do.

All the best,
Sam Okafor
Lumen Bank Recruiting
""",
    job("paused", "greenhouse", "Lumen Bank"),
)

add(
    "greenhouse-info-references-zephyr",
    f"Zephyr Mobility <{GH}>",
    "Zephyr Mobility - references",
    """Hi Alex,

Thanks again for meeting the team. We're at the final stage and would like to speak with two of
your former managers. Could you please provide references (name, role, email and phone number)
by Friday?

Many thanks,
Zephyr Mobility People Team
""",
    job("info_request", "greenhouse", "Zephyr Mobility", deadline="2026-03-13"),
)

add(
    "greenhouse-ack-thanks-interest-aperture",
    f"Aperture Labs Careers <{GH}>",
    "Thank you for your interest in Aperture Labs",
    """Dear Alex,

We have received your application for Test Engineer and appreciate your interest in Aperture Labs.

What happens next? Our recruiting team is reviewing applications and will contact you if your
profile is a match. Due to the number of applications we receive, this can take up to three weeks.

Aperture Labs Careers
""",
    job("application_received", "greenhouse", "Aperture Labs", role="Test Engineer"),
)

add(
    "greenhouse-request-fr-helios",
    f"Helios Énergie <{GH_EU}>",
    "Helios Énergie - votre candidature",
    """Bonjour Alex,

Merci pour votre candidature au poste de Chef de projet data chez Helios Énergie. Votre profil a
retenu notre attention et nous souhaiterions convenir d'un entretien téléphonique.

Pourriez-vous nous indiquer vos disponibilités pour la semaine prochaine ?

Bien cordialement,
Claire Dubois
Chargée de recrutement
""",
    job("interview_request", "greenhouse", "Helios Énergie"),
)

add(
    "greenhouse-quoted-rejection-new-question",
    f"Vandelay Industries <{GH}>",
    "Re: Your application to Vandelay Industries",
    """Hi Alex,

Of course! Could you send me your updated CV so I can share it with the hiring manager for the
Import Logistics Lead opening? It's a different team from the first role.

Thanks,
George

On Fri, Mar 6, 2026 at 4:02 PM Vandelay Industries <no-reply@us.greenhouse-mail.io> wrote:
> Hi Alex,
> Thank you for applying. Unfortunately, we have decided not to move forward with your application
> for the Import Analyst position.
""",
    job("info_request", "greenhouse", "Vandelay Industries"),
    headers=("Reply-To: george@vandelay.example",),
)

# ==================================================================== Lever
LV = "no-reply@hire.lever.co"

add(
    "lever-ack-redwood",
    f"Redwood Robotics <{LV}>",
    "Thanks for applying to Redwood Robotics",
    """Hi Alex,

Thanks for applying for the Robotics Software Engineer position at Redwood Robotics! We've received
your application and our team is reviewing it now.

If there's a fit, someone from our team will reach out to you about next steps.

- The Redwood Robotics Team
""",
    job("application_received", "lever", "Redwood Robotics", role="Robotics Software Engineer"),
)

add(
    "lever-request-recruiter-cyberdyne",
    f"Miles Dyson <{LV}>",
    "Cyberdyne: let's talk about the ML Infrastructure role",
    """Hi Alex,

I'm the recruiter for the ML Infrastructure role at Cyberdyne and I'd like to invite you to a
30-minute phone screen with me. Would you be available any time on Wednesday or Thursday this week?

If neither works, just send over a few times that work for you next week.

Best,
Miles
""",
    job("interview_request", "lever", "Cyberdyne"),
    headers=("Reply-To: Miles Dyson <miles@cyberdyne.example>",),
)

add(
    "lever-rejection-globex",
    f"Globex <{LV}>",
    "Your application to Globex",
    """Hi Alex,

Thank you for taking the time to apply for the Sales Engineer position at Globex. We received many
strong applications, and after reviewing yours we've decided not to proceed with your candidacy at
this time.

We'll keep your details on file and hope our paths cross again.

All the best,
Globex Recruiting
""",
    job("rejection", "lever", "Globex", role="Sales Engineer"),
)

add(
    "lever-rejection-softer-stark",
    f"Stark Industries <{LV}>",
    "Stark Industries | Update",
    """Hi Alex,

Thanks so much for your interest in Stark Industries and for speaking with our team about the
Hardware Test Lead role.

While we were impressed with your background, we've chosen to pursue other candidates whose
experience aligns more closely with the needs of the team.

Wishing you all the best,
Happy
Stark Industries Talent Acquisition
""",
    job("rejection", "lever", "Stark Industries"),
)

add(
    "lever-scheduled-massive",
    f"Massive Dynamic <{LV}>",
    "Interview confirmed: Massive Dynamic on Wed, Mar 18",
    """Hi Alex,

You're scheduled! Your onsite interview with Massive Dynamic is confirmed for Wednesday,
March 18 from 1:00 PM to 4:30 PM EST at 200 Park Avenue, 12th floor.

Your itinerary:
1:00 PM Walter Bishop, Research Director
2:00 PM Nina Sharp, VP Operations
3:15 PM Astrid Farnsworth, Data Science

Ask for Astrid at the front desk.
""",
    job("interview_scheduled", "lever", "Massive Dynamic"),
    date="Thu, 12 Mar 2026 15:40:00 -0500",
)

add(
    "lever-assessment-codesignal-quantum",
    f"Quantum Leaf <{LV}>",
    "Quantum Leaf coding assessment",
    """Hi Alex,

Thanks for your interest in the Software Engineer, Payments role. The next step in our process is a
70-minute coding assessment on CodeSignal.

Your personal link: https://app.codesignal.com/test/qleaf-7Hx2
The link expires in 7 days.

Good luck!
Quantum Leaf Recruiting
""",
    job("assessment", "lever", "Quantum Leaf", deadline="2026-03-16"),
)

add(
    "lever-paused-decision-delayed-sabre",
    f"Sabre Foods <{LV}>",
    "Sabre Foods: update on the Supply Chain Analyst role",
    """Hi Alex,

I wanted to be transparent with you: our decision on the Supply Chain Analyst role has been delayed
while leadership finalises next year's budget. You are still very much in the process.

I expect to have news by the end of the month and will write as soon as I do.

Thanks for your patience,
Rosa
""",
    job("paused", "lever", "Sabre Foods"),
    headers=("Reply-To: rosa.m@sabrefoods.example",),
)

add(
    "lever-offer-eu-blueharbor",
    "Blue Harbor <no-reply@hire.eu.lever.co>",
    "Offer of employment - Blue Harbor",
    """Dear Alex,

We are delighted to offer you the position of Senior Backend Engineer at Blue Harbor. Attached you
will find your written offer with the details of compensation and benefits.

Please sign and return it at your earliest convenience.

Kind regards,
Blue Harbor People Team
""",
    job("offer", "lever", "Blue Harbor"),
)

add(
    "lever-out-next-week-recruiter",
    f"Dana Whitfield <{LV}>",
    "Re: Cyberdyne onsite",
    """Hi Alex,

Unfortunately I'm out next week at a conference, so I won't be able to host you on Tuesday after
all. Could we move the interview with the team to the week of March 23? Please share your
availability for that week and I'll send invitations.

Sorry for the shuffle!
Dana
""",
    job("interview_request", "lever", "Cyberdyne"),
    headers=("Reply-To: dana@cyberdyne.example",),
)

# ==================================================================== Ashby
AB = "no-reply@ashbyhq.com"

add(
    "ashby-ack-linear-ish-northwind",
    f"Northwind <{AB}>",
    "Application received — Northwind",
    """Hi Alex,

Thank you for applying to Northwind! We've received your application for the Developer Advocate
role and will review it carefully.

We try to respond to every applicant within 10 business days.

Northwind Hiring Team
""",
    job("application_received", "ashby", "Northwind", role="Developer Advocate"),
)

add(
    "ashby-request-self-schedule-orbit",
    f"Orbit Health Hiring Team <{AB}>",
    "Schedule your interview with Orbit Health",
    """Hi Alex,

Good news: the team would like to move you forward to a technical interview for the Senior iOS
Engineer role. Please book a time using the link below. Slots are available over the next two
weeks.

https://app.ashbyhq.com/interview-scheduling/9a1e7f

Thanks!
""",
    job("interview_request", "ashby", "Orbit Health"),
)

add(
    "ashby-rejection-tyrell",
    f"Tyrell <{AB}>",
    "Update from Tyrell",
    """Hi Alex,

Thanks again for your time interviewing with us for the Android Engineer position.

We wanted to let you know that we won't be moving forward with your application at this time. We
know this isn't the news you were hoping for and appreciate the effort you put into the process.

Best of luck,
Tyrell Recruiting
""",
    job("rejection", "ashby", "Tyrell"),
)

add(
    "ashby-scheduled-soylent",
    f"Soylent <{AB}>",
    "Your interview with Soylent is confirmed",
    """Hi Alex,

Your interview is confirmed for Monday, March 16, 2026 at 11:00 AM PT (45 minutes) with
Rachel Park, Engineering Manager.

Join by video: https://meet.google.com/abc-defg-hij

See you then!
""",
    job("interview_scheduled", "ashby", "Soylent"),
)

add(
    "ashby-assessment-es-datos",
    f"Datos Ibérica <{AB}>",
    "Datos Ibérica - prueba técnica",
    """Hola Alex,

¡Gracias por tu interés en Datos Ibérica! El siguiente paso del proceso es una prueba técnica de
SQL y Python que puedes completar cuando quieras desde este enlace:
https://app.ashbyhq.com/assessments/d1b0

Te pedimos que la envíes antes del 18 de marzo.

Un saludo,
Equipo de Talento de Datos Ibérica
""",
    job("assessment", "ashby", "Datos Ibérica", deadline="2026-03-18"),
)

add(
    "ashby-info-work-authorisation-meridian",
    f"Meridian <{AB}>",
    "Meridian: a few more details",
    """Hi Alex,

Before we schedule your final round we need a few more details from you:

- your notice period
- your salary expectations
- confirmation of your right to work in the UK

Please reply to this email with the above.

Thanks,
Meridian Talent
""",
    job("info_request", "ashby", "Meridian"),
)

# ==================================================================== Workday
WD_LINK = "https://{t}.wd{n}.myworkdayjobs.com/en-US/{site}/job/{job}"

add(
    "workday-ack-acme",
    "Acme Corporation <acmecorp@myworkday.com>",
    "Thank you for your interest in Acme Corporation",
    f"""Dear Alex Seeker,

Thank you for your interest in Acme Corporation. We have received your application for the
position of Financial Systems Analyst (R-0042187).

You can check the status of your application at any time on our career site:
{WD_LINK.format(t="acmecorp", n=5, site="External", job="Financial-Systems-Analyst_R-0042187")}

Sincerely,
Acme Corporation Talent Acquisition
""",
    job("application_received", "workday", "Acme Corporation", role="Financial Systems Analyst"),
)

add(
    "workday-rejection-same-subject-acme",
    "Acme Corporation <acmecorp@myworkday.com>",
    "Thank you for your interest in Acme Corporation",
    f"""Dear Alex Seeker,

Thank you for your interest in the Financial Systems Analyst position (R-0042187) at Acme
Corporation. We have reviewed your application and regret to inform you that we have selected other
candidates whose qualifications better match the requirements of this role.

We encourage you to visit our career site for future openings:
{WD_LINK.format(t="acmecorp", n=5, site="External", job="")}

Sincerely,
Acme Corporation Talent Acquisition
""",
    job("rejection", "workday", "Acme Corporation"),
    date="Wed, 1 Apr 2026 13:02:00 +0000",
)

add(
    "workday-ack-company-domain-umbrella",
    "Umbrella Health <noreply@umbrellahealth.example>",
    "Umbrella Health: Application Received",
    f"""Hello Alex,

Thank you for applying to the Clinical Data Manager position at Umbrella Health. Your application
has been submitted successfully.

To review your application status, sign in to your candidate home:
{WD_LINK.format(t="umbrellahealth", n=1, site="UH_Careers", job="Clinical-Data-Manager_JR10422")}

Umbrella Health Recruiting
""",
    job("application_received", "workday", "Umbrella Health", role="Clinical Data Manager"),
)

add(
    "workday-rejection-company-domain-umbrella",
    "Umbrella Health <noreply@umbrellahealth.example>",
    "Regarding your application for Clinical Data Manager",
    f"""Dear Alex,

Thank you for the time you took to apply for the Clinical Data Manager position with Umbrella
Health. After careful review, we have decided to proceed with other candidates for this position.

Your profile remains in our talent community:
{WD_LINK.format(t="umbrellahealth", n=1, site="UH_Careers", job="")}

Umbrella Health Recruiting
""",
    job("rejection", "workday", "Umbrella Health", role="Clinical Data Manager"),
    date="Tue, 24 Mar 2026 18:30:00 +0000",
)

add(
    "workday-assessment-wayne",
    "Wayne Enterprises <wayneent@myworkday.com>",
    "Action Required: Complete your assessment for Wayne Enterprises",
    f"""Dear Alex,

Thank you for your interest in the Security Analyst position at Wayne Enterprises. As part of our
selection process we invite you to complete an online assessment.

Please complete the assessment within 5 days of receiving this email:
{WD_LINK.format(t="wayneent", n=3, site="Wayne", job="Security-Analyst_REQ-5521")}/assessment

Regards,
Wayne Enterprises Talent Acquisition
""",
    job("assessment", "workday", "Wayne Enterprises", deadline="2026-03-14"),
)

add(
    "workday-paused-on-hold-initech",
    "Initech <initech@myworkday.com>",
    "Update: Business Analyst (JR-2201) at Initech",
    f"""Dear Alex,

We are writing to let you know that the Business Analyst requisition JR-2201 has been placed on
hold. Your application remains active and no action is required from you at this time. We will
contact you should the position reopen.

Initech Human Resources
{WD_LINK.format(t="initech", n=12, site="Initech_External", job="Business-Analyst_JR-2201")}
""",
    job("paused", "workday", "Initech"),
)

add(
    "workday-info-documents-de-nordwind",
    "Nordwind Logistik <nordwind@myworkday.com>",
    "Nordwind Logistik: Unterlagen nachreichen",
    f"""Hallo Alex,

vielen Dank für Ihre Bewerbung als Disponent (m/w/d). Um Ihre Bewerbung weiter bearbeiten zu
können, bitten wir Sie, Ihre Zeugnisse sowie Ihre Gehaltsvorstellung bis spätestens 20.03.2026 in
Ihrem Kandidatenprofil hochzuladen:
{WD_LINK.format(t="nordwind", n=3, site="Karriere", job="Disponent_R-311")}

Freundliche Grüße
Ihr Nordwind Logistik Recruiting
""",
    job("info_request", "workday", "Nordwind Logistik", deadline="2026-03-20"),
)

add(
    "workday-request-interview-wayne",
    "Wayne Enterprises <wayneent@myworkday.com>",
    "Interview Invitation - Security Analyst",
    f"""Dear Alex,

We are pleased to invite you to interview for the Security Analyst position at Wayne Enterprises.
Please select a time slot for a 45-minute video interview in your candidate home:
{WD_LINK.format(t="wayneent", n=3, site="Wayne", job="Security-Analyst_REQ-5521")}

Regards,
Wayne Enterprises Talent Acquisition
""",
    job("interview_request", "workday", "Wayne Enterprises"),
    date="Mon, 16 Mar 2026 14:00:00 +0000",
)

# ==================================================================== SmartRecruiters
SR = "notification@smartrecruiters.com"

add(
    "smartrecruiters-ack-sabre",
    f"Sabre Foods <{SR}>",
    "Thank you for applying for Supply Chain Analyst at Sabre Foods",
    """Dear Alex,

Thank you for applying for the Supply Chain Analyst position at Sabre Foods. We have received your
application and are currently reviewing it.

We will get back to you as soon as possible.

Best regards,
Sabre Foods Hiring Team
""",
    job("application_received", "smartrecruiters", "Sabre Foods", role="Supply Chain Analyst"),
)

add(
    "smartrecruiters-rejection-fr-helios",
    f"Helios Énergie <{SR}>",
    "Votre candidature chez Helios Énergie",
    """Bonjour Alex,

Nous vous remercions de l'intérêt que vous portez à Helios Énergie et pour votre candidature au
poste d'Ingénieur Réseau.

Après étude attentive de votre dossier, nous sommes au regret de vous informer que nous ne pourrons
pas donner suite à votre candidature.

Nous vous souhaitons pleine réussite dans vos recherches.

L'équipe Recrutement Helios Énergie
""",
    job("rejection", "smartrecruiters", "Helios Énergie"),
)

add(
    "smartrecruiters-request-es-datos",
    f"Datos Ibérica <{SR}>",
    "Entrevista con Datos Ibérica",
    """Hola Alex,

Gracias por tu candidatura para el puesto de Analista de Datos. Nos gustaría conocerte en una
primera entrevista por videollamada. ¿Podrías indicarnos tu disponibilidad para esta semana o la
próxima?

Un saludo,
Lucía Martín
Talent Acquisition, Datos Ibérica
""",
    job("interview_request", "smartrecruiters", "Datos Ibérica", role="Analista de Datos"),
)

add(
    "smartrecruiters-scheduled-de-fernweh",
    f"Fernweh Reisen <{SR}>",
    "Terminbestätigung: Vorstellungsgespräch bei Fernweh Reisen",
    """Hallo Alex,

hiermit bestätigen wir Ihren Termin: Ihr Vorstellungsgespräch findet am Donnerstag, 19. März 2026,
um 14:00 Uhr per Microsoft Teams statt. Gesprächspartner sind Frau Berger (Teamleitung) und Herr
Yilmaz (HR).

Den Einwahllink erhalten Sie separat.

Viele Grüße
Fernweh Reisen Recruiting
""",
    job("interview_scheduled", "smartrecruiters", "Fernweh Reisen"),
)

add(
    "smartrecruiters-offer-tessera",
    f"Tessera <{SR}>",
    "Tessera - Your job offer",
    """Hi Alex,

Congratulations! We are excited to extend an offer for the Backend Engineer role. Please review your
offer in the SmartRecruiters portal and let us know your decision.

Tessera Talent Team
""",
    job("offer", "smartrecruiters", "Tessera"),
)

add(
    "smartrecruiters-paused-filled-brightline",
    f"Brightline <{SR}>",
    "Brightline: Product Analyst",
    """Dear Alex,

Thank you for your application for Product Analyst. We wanted to let you know that the position has
been filled internally, so the opening is closed for now. We expect to open similar roles later this
year and would welcome your application then.

Best regards,
Brightline Recruiting
""",
    job("paused", "smartrecruiters", "Brightline"),
)

# ==================================================================== iCIMS
add(
    "icims-ack-globex",
    "Globex Careers <careers-globex@icims.com>",
    "Globex: We received your application",
    """Dear Alex,

Thank you for your interest in career opportunities with Globex. This email confirms that we have
received your application for Regional Sales Manager (Req #2026-1193).

If your qualifications match the requirements of the position, a recruiter will contact you.

Sincerely,
Globex Talent Acquisition
https://careers-globex.icims.com/jobs/2026-1193/regional-sales-manager/job
""",
    job("application_received", "icims", "Globex", role="Regional Sales Manager"),
)

add(
    "icims-rejection-company-domain-stark",
    "Stark Industries <donotreply@starkindustries.example>",
    "Your Application with Stark Industries",
    """Dear Alex,

Thank you for applying for the Mechanical Design Engineer position. We appreciate your interest in
Stark Industries.

We regret to inform you that you have not been selected to move forward in the hiring process for
this position. We encourage you to apply for other positions for which you are qualified:
https://careers-starkindustries.icims.com/jobs/search

Best regards,
Stark Industries Recruitment
""",
    job("rejection", "icims", "Stark Industries", role="Mechanical Design Engineer"),
)

add(
    "icims-request-oscorp",
    "Oscorp Recruiting <oscorp-recruiting@icims.com>",
    "Oscorp - Invitation to interview",
    """Hello Alex,

We would like to invite you to an interview for the Lab Automation Engineer role. Please click the
link below to choose a time slot that is convenient for you:

https://oscorp.icims.com/icims2/servlet/icims2?module=AppInert&action=schedule&id=88120

We look forward to speaking with you!
Oscorp Recruiting
""",
    job("interview_request", "icims", "Oscorp"),
)

add(
    "icims-info-background-check-lumen",
    "Lumen Bank <lumenbank@icims.com>",
    "Lumen Bank: Action needed - background check form",
    """Dear Alex,

Congratulations on progressing to the final stage for the Risk Analyst role. Before we proceed we
need you to complete the background check form in the candidate portal no later than
March 13, 2026.

https://careers-lumenbank.icims.com/candidate/forms

Kind regards,
Lumen Bank Talent Acquisition
""",
    job("info_request", "icims", "Lumen Bank", deadline="2026-03-13"),
)

# ==================================================================== Jobvite
JV = "notifications@jobvite.com"

add(
    "jobvite-ack-brightline",
    f"Brightline Recruiting <{JV}>",
    "Thank you for applying to Brightline",
    """Hi Alex,

Thank you for applying to the Customer Success Manager opening at Brightline. We have successfully
received your application and will review your qualifications shortly.

Regards,
Brightline Recruiting
https://jobs.jobvite.com/brightline/job/oQx8vfwA
""",
    job("application_received", "jobvite", "Brightline", role="Customer Success Manager"),
)

add(
    "jobvite-rejection-hooli",
    f"Hooli <{JV}>",
    "Hooli - Application Update",
    """Dear Alex,

Thank you for your interest in the Technical Program Manager role with Hooli. While your background
is impressive, we have decided to pursue other candidates for this position.

We wish you success in your job search.

Hooli Talent Acquisition
""",
    job("rejection", "jobvite", "Hooli"),
)

add(
    "jobvite-scheduled-ics-initech",
    f"Initech <{JV}>",
    "Interview Scheduled: Initech - Business Analyst",
    """Hi Alex,

Your interview for the Business Analyst position has been scheduled for Friday, March 13 at
2:30 PM CT with Bill Lumbergh. A calendar invitation is attached; please accept it.

Initech Recruiting
""",
    job("interview_scheduled", "jobvite", "Initech"),
    ics=vevent(
        "jv-4410@jobvite.com",
        "20260313T193000Z",
        "20260313T203000Z",
        "Interview - Initech - Business Analyst",
        "recruiting@initech.example",
    ),
)

add(
    "jobvite-assessment-hackerrank-cyberdyne",
    f"Cyberdyne <{JV}>",
    "Cyberdyne: HackerRank challenge",
    """Hi Alex,

Thanks for your interest in Cyberdyne! To continue, please complete the HackerRank coding challenge
below. You'll have 90 minutes once you begin.

https://www.hackerrank.com/tests/cyb-22a9x

The test link will expire on March 15.

Cyberdyne Talent
""",
    job("assessment", "jobvite", "Cyberdyne", deadline="2026-03-15"),
)

# ==================================================================== Teamtailor
add(
    "teamtailor-ack-sv-nordlys",
    "Nordlys Studio <no-reply@teamtailor-mail.com>",
    "Thanks for your application!",
    """Hi Alex!

Thanks for your application to Nordlys Studio. We have received it and will get back to you as
soon as we have reviewed it. In the meantime, feel free to learn more about us at
https://career.nordlys.example

Best regards,
Nordlys Studio
""",
    job("application_received", "teamtailor", "Nordlys Studio"),
)

add(
    "teamtailor-request-de-kiefer",
    "Kiefer & Söhne <no-reply@teamtailor-mail.com>",
    "Kiefer & Söhne – Einladung zum Gespräch",
    """Hallo Alex,

vielen Dank für deine Bewerbung als Werkstudent Data Science! Wir würden dich gerne in einem ersten
Gespräch kennenlernen. Bitte wähle über den folgenden Link einen Termin, der dir passt:

https://kiefer-soehne.teamtailor.com/meetings/book/8831

Beste Grüße
Jana von Kiefer & Söhne
""",
    job("interview_request", "teamtailor", "Kiefer & Söhne"),
)

add(
    "teamtailor-rejection-es-sol",
    "Sol Verde <no-reply@teamtailor-mail.com>",
    "Tu candidatura en Sol Verde",
    """Hola Alex,

Muchas gracias por tu interés en Sol Verde y por el tiempo dedicado a tu candidatura para el puesto
de Diseñador UX.

Tras revisar todos los perfiles, hemos decidido no seguir adelante con tu candidatura en esta
ocasión. Guardaremos tus datos para futuras vacantes.

Un abrazo,
El equipo de Sol Verde
""",
    job("rejection", "teamtailor", "Sol Verde"),
)

add(
    "teamtailor-paused-fr-helios",
    "Helios Énergie <no-reply@teamtailor-mail.com>",
    "Votre candidature chez Helios Énergie",
    """Bonjour Alex,

Nous tenions à vous informer que le recrutement pour le poste de Data Analyst est mis en pause en
raison d'une réorganisation interne. Votre candidature reste active et nous reviendrons vers vous
dès que le processus reprendra.

Merci de votre patience,
L'équipe Helios Énergie
""",
    job("paused", "teamtailor", "Helios Énergie"),
)

# ==================================================================== Workable
WK = "noreply@candidates.workablemail.com"

add(
    "workable-ack-blueharbor",
    f"Blue Harbor <{WK}>",
    "Your application for Data Engineer at Blue Harbor",
    """Hi Alex,

Thanks for applying to Blue Harbor. Your application for the Data Engineer job has been received and
we will review it right away.

If your application seems like a good fit for the position we will contact you soon.

Regards,
Blue Harbor
""",
    job("application_received", "workable", "Blue Harbor", role="Data Engineer"),
)

add(
    "workable-rejection-pied-piper",
    f"Pied Piper <{WK}>",
    "Your application at Pied Piper",
    """Hi Alex,

Thanks for applying for the Compression Engineer position at Pied Piper. We've reviewed your
application and unfortunately we will not be progressing your application further.

We wish you all the best in your search.

Pied Piper
""",
    job("rejection", "workable", "Pied Piper"),
)

add(
    "workable-assessment-testgorilla-zephyr",
    f"Zephyr Mobility <{WK}>",
    "Zephyr Mobility: skills assessment",
    """Hi Alex,

As part of the hiring process for Operations Manager, we'd like you to complete a short skills
assessment on TestGorilla (about 40 minutes):

https://app.testgorilla.com/invite/zeph-71k

Please complete the assessment by March 12.

Best,
Zephyr Mobility Hiring Team
""",
    job("assessment", "workable", "Zephyr Mobility", deadline="2026-03-12"),
)

add(
    "workable-request-recruiter-replyto-meridian",
    f"Olivia Grant <{WK}>",
    "Meridian - Interview for Product Owner",
    """Hi Alex,

Thanks for applying for the Product Owner role at Meridian. We'd love to schedule an interview with
you! Are you available for a 30 min video call on Thursday or Friday afternoon?

Olivia Grant
Talent Partner, Meridian
""",
    job("interview_request", "workable", "Meridian", role="Product Owner"),
    headers=("Reply-To: Olivia Grant <olivia.grant@meridian.example>",),
)

# ==================================================================== BambooHR
BH = "notifications@app.bamboohr.com"

add(
    "bamboohr-ack-kestrel",
    f"Kestrel Analytics <{BH}>",
    "Thanks for applying to Kestrel Analytics!",
    """Hi Alex,

Thank you for your interest in the Analytics Engineer position at Kestrel Analytics. We've received
your application and will be reviewing it over the coming days.

Have a great day,
Kestrel Analytics
kestrel.bamboohr.com/careers
""",
    job("application_received", "bamboohr", "Kestrel Analytics", role="Analytics Engineer"),
)

add(
    "bamboohr-rejection-vandelay",
    f"Vandelay Industries <{BH}>",
    "Vandelay Industries: Import Analyst",
    """Hello Alex,

Thank you for your interest in Vandelay Industries and the Import Analyst position. We have carefully
reviewed your application and regret to inform you that we will not be moving forward at this time.

Sincerely,
Vandelay Industries Hiring Team
""",
    job("rejection", "bamboohr", "Vandelay Industries"),
)

add(
    "bamboohr-info-portfolio-nordlys",
    f"Nordlys Studio <{BH}>",
    "Nordlys Studio - portfolio",
    """Hi Alex,

Thanks for applying for the Motion Designer role. Could you please send us your portfolio or a
link to recent work? We'll review it together with your CV.

Thanks!
Nordlys Studio
""",
    job("info_request", "bamboohr", "Nordlys Studio"),
)

# ==================================================================== Calendly
CAL = "Calendly <notifications@calendly.com>"

add(
    "calendly-confirmed-interview-hooli",
    CAL,
    "Confirmed: Interview with Hooli (Priya Raman) on Thursday, March 12, 2026",
    """Hi Alex Seeker,

A new event has been scheduled.

Event Type: Hooli - Recruiter Interview
Invitee: Alex Seeker
Event Date/Time: 10:00am - 10:30am (Central European Time) Thursday, March 12, 2026
Location: Zoom (details in the calendar invitation)

Need to make changes to this event? Cancel: https://calendly.com/cancellations/AB12
Reschedule: https://calendly.com/reschedulings/AB12
""",
    job("interview_scheduled", "calendly", "Hooli"),
    ics=vevent(
        "calendly-ab12@calendly.com",
        "20260312T090000Z",
        "20260312T093000Z",
        "Hooli - Recruiter Interview",
        "priya.raman@hooli.example",
    ),
)

add(
    "calendly-confirmed-screen-kestrel",
    CAL,
    "Confirmed: Phone screen between Jonas Weber and Alex Seeker",
    """Hi Alex Seeker,

Your phone screen with Jonas Weber (Kestrel Analytics Talent) is confirmed.

When: 4:00pm - 4:30pm Monday, March 16, 2026 (Central European Time)
Where: Jonas will call you at +49 30 1234567

Questions about the Senior Data Engineer interview process? Just reply to Jonas.
""",
    job("interview_scheduled", "calendly", "Kestrel Analytics"),
)

add(
    "calendly-sales-demo-not-job",
    CAL,
    "Confirmed: Product demo with Acme Widgets",
    """Hi Alex Seeker,

A new event has been scheduled.

Event Type: 30 Minute Product Demo
Invitee: Alex Seeker
Event Date/Time: 2:00pm - 2:30pm Tuesday, March 10, 2026

See you there! Reschedule: https://calendly.com/reschedulings/ZZ9
""",
    None,
)

add(
    "calendly-canceled-dentist-not-job",
    CAL,
    "Canceled: Dental check-up with Dr. Lindqvist",
    """Hi Alex Seeker,

The event below has been canceled.

Event Type: Dental check-up
Event Date/Time: 8:30am Friday, March 13, 2026
""",
    None,
)

# ==================================================================== GoodTime
GT = "scheduling@goodtime.io"

add(
    "goodtime-request-massive",
    f"Massive Dynamic Candidate Calendar <{GT}>",
    "Massive Dynamic: please share your availability",
    """Hi Alex,

We'd love to schedule your final round for the Research Engineer role. Please share your
availability for the next two weeks using the link below so we can coordinate the panel:

https://app.goodtime.io/availability/md-55c1

Please respond by March 11 so we can hold rooms.

Massive Dynamic Recruiting Coordination
""",
    job("interview_request", "goodtime", "Massive Dynamic", deadline="2026-03-11"),
)

add(
    "goodtime-scheduled-itinerary-massive",
    f"Massive Dynamic Candidate Calendar <{GT}>",
    "Your interview itinerary with Massive Dynamic",
    """Hi Alex,

Your interview is confirmed. Here is your itinerary for Tuesday, March 24, 2026 (all times ET):

10:00 - 10:45  Systems design with Peter Bishop
11:00 - 11:45  Coding with Olivia Dunham
12:00 - 12:30  Hiring manager conversation with Phillip Broyles

One calendar invitation covers the whole block.
""",
    job("interview_scheduled", "goodtime", "Massive Dynamic"),
    ics=vevent(
        "gt-md-9981@goodtime.io",
        "20260324T140000Z",
        "20260324T163000Z",
        "Massive Dynamic Interview - Alex Seeker",
        "candidate-calendar@massive.example",
    ),
)

add(
    "goodtime-rescheduled-tyrell",
    f"Tyrell Candidate Calendar <{GT}>",
    "Updated: your interview with Tyrell has been rescheduled",
    """Hi Alex,

Your interview has been rescheduled to Wednesday, March 18 at 15:00 GMT because one of your
interviewers is unavailable. An updated invitation is attached. Apologies for the change.

Tyrell Recruiting Coordination
""",
    job("interview_scheduled", "goodtime", "Tyrell"),
    ics=vevent(
        "gt-ty-1202@goodtime.io",
        "20260318T150000Z",
        "20260318T160000Z",
        "Tyrell interview (rescheduled)",
        "candidate-calendar@tyrell.example",
    ),
)

# ==================================================================== LinkedIn
add(
    "linkedin-applied-acme",
    "LinkedIn <jobs-noreply@linkedin.com>",
    "Alex, your application was sent to Acme",
    """Your application was sent to Acme

Site Reliability Engineer
Acme · Munich, Bavaria, Germany (Hybrid)
Applied on March 9, 2026

Now, take these next steps for more success with your job search:
Keep track of your applications on My Jobs.

This email was intended for Alex Seeker (Software Engineer)
Unsubscribe: https://www.linkedin.com/comm/psettings/email-unsubscribe
""",
    job("application_received", "linkedin", "Acme"),
    headers=(
        "List-Unsubscribe: <https://www.linkedin.com/comm/psettings/email-unsubscribe?lipi=x>",
    ),
)

add(
    "linkedin-applied-globex",
    "LinkedIn <jobs-noreply@linkedin.com>",
    "Alex, your application was sent to Globex",
    """Your application was sent to Globex

Product Manager, Growth
Globex · Remote
Applied on March 8, 2026

Your profile, resume and contact information were shared with the employer.
""",
    job("application_received", "linkedin", "Globex"),
    date="Sun, 8 Mar 2026 20:11:00 +0000",
)

add(
    "linkedin-job-alert",
    "LinkedIn Job Alerts <jobalerts-noreply@linkedin.com>",
    '"software engineer": 12 new jobs in Berlin',
    """Your job alert for software engineer in Berlin

12 new jobs match your preferences.

Backend Engineer - Hooli - Berlin - Be an early applicant
Senior Software Engineer, Payments - Nimbus Cloud - Berlin (Hybrid)
Staff Engineer - Tessera - Remote - Actively recruiting
Interview tips: prepare for your next interview with LinkedIn Learning.

See all jobs: https://www.linkedin.com/jobs/search
Unsubscribe
""",
    job("other_job", "linkedin", None),
    headers=("List-Unsubscribe: <https://www.linkedin.com/comm/unsub/alerts>",),
)

add(
    "linkedin-recommended-jobs",
    "LinkedIn <jobs-listings@linkedin.com>",
    "Alex, new jobs for you at Oscorp and 9 other companies",
    """Top job picks for you

Oscorp is hiring: Lab Automation Engineer
Stark Industries: Hardware Test Lead - we'd love to offer you a chance to apply early
Cyberdyne: ML Infrastructure Engineer

Based on your profile and search history.
""",
    job("other_job", "linkedin", None),
)

add(
    "linkedin-inmail-recruiter-request",
    "Priya Raman via LinkedIn <inmail-hit-reply@linkedin.com>",
    "Staff Product Designer opportunity at Hooli",
    """Hi Alex,

I came across your profile and think you'd be a great fit for a Staff Product Designer role on our
Search team at Hooli. Would you be open to a quick 20-minute chat next week? Let me know your
availability and I'll send an invite.

Priya
""",
    job("interview_request", "linkedin", "Hooli"),
)

add(
    "linkedin-profile-views-not-job",
    "LinkedIn <notifications-noreply@linkedin.com>",
    "Alex, you appeared in 14 searches this week",
    """You appeared in 14 searches this week

See who's looking at your profile and the keywords they used.

Keep your profile up to date: https://www.linkedin.com/me/search-appearances
""",
    None,
)

add(
    "linkedin-newsletter",
    "LinkedIn News <editors-noreply@linkedin.com>",
    "The week in hiring: what the layoffs mean for candidates",
    """LinkedIn News | Top stories this week

Tech hiring rebounds in Europe; interview processes get shorter; an offer from Big Tech is no
longer a sure thing. Read the full newsletter.

Unsubscribe from this newsletter.
""",
    job("other_job", "linkedin", None),
    headers=("List-Id: <newsletter.linkedin.com>",),
)

# ==================================================================== Indeed
add(
    "indeed-apply-confirmation",
    "Indeed Apply <indeedapply@indeed.com>",
    "Indeed Application: Warehouse Operations Lead",
    """Application submitted

Warehouse Operations Lead
Nordwind Logistik - Hamburg

The following items were sent to Nordwind Logistik: your resume and answers to screener questions.

Good luck with your application! You can track it on Indeed: https://myjobs.indeed.com/applied
""",
    job("application_received", "indeed", "Nordwind Logistik", role="Warehouse Operations Lead"),
)

add(
    "indeed-apply-confirmation-2",
    "Indeed <indeedapply@indeed.com>",
    "Your application has been submitted",
    """Your application has been submitted to Sabre Foods.

Quality Assurance Technician
Sabre Foods - Rotterdam

We'll let you know if there's an update from the employer.
""",
    job("application_received", "indeed", "Sabre Foods"),
)

add(
    "indeed-employer-message-interview",
    "Sabre Foods via Indeed <abc123-r7x@indeedemail.com>",
    "Interview request for Quality Assurance Technician",
    """Hi Alex,

Thanks for applying to Sabre Foods! We would like to invite you for an interview at our Rotterdam
plant. Are you available on Wednesday or Thursday morning?

Kind regards,
Maarten, HR Sabre Foods
""",
    job("interview_request", "indeed", "Sabre Foods", role="Quality Assurance Technician"),
)

add(
    "indeed-job-alert",
    "Indeed <alert@indeed.com>",
    "15 new data analyst jobs in Hamburg",
    """New jobs for data analyst in Hamburg

Data Analyst - Nordwind Logistik - Hamburg - Easily apply
Junior Data Analyst (m/w/d) - Kiefer & Söhne - Hamburg
Business Data Analyst - Lumen Bank - Remote

You are receiving this job alert because you subscribed.
""",
    job("other_job", "indeed", None),
    headers=("List-Unsubscribe: <https://www.indeed.com/unsubscribe?id=1>",),
)

add(
    "indeed-rejection-employer",
    "Brightline via Indeed <def456-q2@indeedemail.com>",
    "An update on your application to Brightline",
    """Hi Alex,

Thank you for your interest in the Office Coordinator position. After reviewing your application,
we have decided to move forward with another candidate.

We appreciate your time and wish you luck.

Brightline
""",
    job("rejection", "indeed", "Brightline"),
)

# ==================================================================== people (no vendor)
add(
    "human-rejection-en-polite",
    "Jamie Chen <jamie.chen@globex.example>",
    "Re: Senior Engineer interview follow-up",
    """Hi Alex,

Thanks for following up, and thank you again for the time you spent with the team last week.

I'm sorry to say that we've decided to go with another candidate for the Senior Engineer role. It
was a close call and the team enjoyed the conversation. I'd be happy to keep in touch.

Best,
Jamie

On Mon, Mar 2, 2026 at 9:00 AM Alex Seeker <alex@seeker.example> wrote:
> Hi Jamie, I wanted to follow up on last week's interview.
""",
    job("rejection", None, "Globex"),
)

add(
    "human-rejection-en-not-progressing",
    "Ravi Patel <ravi@kestrel-analytics.example>",
    "Your application for Data Engineer",
    """Hi Alex,

Thank you for your interest in the Data Engineer role. We had an exceptionally strong set of
applicants, and I'm afraid we won't be progressing your application on this occasion; your
application was unsuccessful at the screening stage.

Kind regards,
Ravi Patel
Engineering Manager, Kestrel Analytics
""",
    job("rejection", None, "Kestrel Analytics"),
)

add(
    "human-rejection-de",
    "Katrin Vogel <k.vogel@nordwind-logistik.example>",
    "AW: Bewerbung als Disponent",
    """Hallo Herr Seeker,

vielen Dank für das angenehme Gespräch am Dienstag. Nach reiflicher Überlegung haben wir uns
leider für einen anderen Kandidaten entschieden, dessen Erfahrung im Bereich Seefracht noch besser
passt.

Ich wünsche Ihnen für Ihre weitere Suche viel Erfolg.

Beste Grüße
Katrin Vogel
Personalabteilung Nordwind Logistik
""",
    job("rejection", None, "Nordwind Logistik"),
)

add(
    "human-rejection-fr",
    "Claire Dubois <claire.dubois@helios-energie.example>",
    "Re: Candidature - Chef de projet data",
    """Bonjour Alex,

Merci encore pour nos échanges. Malheureusement, après réflexion, votre candidature n'a pas été
retenue pour le poste de Chef de projet data : nous avons choisi un autre candidat dont le profil
correspond davantage à nos besoins immédiats.

Je vous souhaite une bonne continuation.

Claire Dubois
Chargée de recrutement - Helios Énergie
""",
    job("rejection", None, "Helios Énergie"),
)

add(
    "human-rejection-es",
    "Lucía Martín <lucia.martin@datos-iberica.example>",
    "Re: Proceso de selección Analista de Datos",
    """Hola Alex,

Muchas gracias por tu tiempo durante todo el proceso. Lamentamos informarte de que hemos decidido
continuar con otro candidato cuyo perfil se ajusta más a lo que buscamos en este momento.

Te deseamos mucha suerte.

Lucía Martín
Talent Acquisition - Datos Ibérica
""",
    job("rejection", None, "Datos Ibérica"),
)

add(
    "human-rejection-hm-short",
    "Mara Köhler <mara@tessera.example>",
    "Backend role",
    """Alex, thanks for the chat yesterday. I wanted to let you know personally that we'll be moving
forward with other candidates for the backend role - not a fit at this time for where the team is
heading. Happy to give feedback if useful.

Mara
""",
    job("rejection", None, "Tessera"),
)

add(
    "human-offer-en",
    "Nora Vance <nora.vance@oscorp.example>",
    "Offer - Lead Platform Engineer",
    """Hi Alex,

Great news! The team loved meeting you and I'm delighted to offer you the Lead Platform Engineer
position. I'll send the formal offer letter later today; in the meantime, do you have time for a
quick call to walk through the details?

Nora
""",
    job("offer", None, "Oscorp"),
)

add(
    "human-offer-de",
    "Jens Berger <jens.berger@kiefer-soehne.example>",
    "Ihr Vertragsangebot",
    """Hallo Alex,

wir freuen uns sehr, Ihnen die Stelle als Data Scientist anbieten zu können! Anbei erhalten Sie
unser Vertragsangebot. Bitte geben Sie uns bis zum 20. März Bescheid.

Viele Grüße
Jens Berger
Kiefer & Söhne
""",
    job("offer", None, "Kiefer & Söhne"),
)

add(
    "human-offer-es",
    "Pablo Ruiz <pablo@sol-verde.example>",
    "Oferta de trabajo - Diseñador UX",
    """Hola Alex,

¡Enhorabuena! Nos encantaría ofrecerte el puesto de Diseñador UX en Sol Verde. Te adjunto la oferta
de trabajo con las condiciones. Quedo a tu disposición para cualquier duda.

Pablo
""",
    job("offer", None, "Sol Verde"),
)

add(
    "human-offer-fr",
    "Claire Dubois <claire.dubois@helios-energie.example>",
    "Proposition d'embauche",
    """Bonjour Alex,

Nous sommes ravis de vous proposer le poste de Data Analyst chez Helios Énergie. Vous trouverez en
pièce jointe notre proposition d'embauche.

Bien à vous,
Claire
""",
    job("offer", None, "Helios Énergie"),
)

add(
    "human-not-offer-negated",
    "Rosa Medina <rosa.m@sabrefoods.example>",
    "Re: Supply Chain Analyst",
    """Hi Alex,

Thanks for your patience. I'm afraid we are unable to offer you the position; the team has decided
not to proceed with your candidacy after the final round. I appreciate the time you gave us.

Rosa
""",
    job("rejection", None, "Sabre Foods"),
)

add(
    "human-request-en",
    "Tom Eriksen <tom@tessera.example>",
    "Chat about the Backend Engineer role?",
    """Hi Alex,

I lead the platform team at Tessera and saw your application for the Backend Engineer role. Would
you be available for a 45-minute technical conversation next week? Tuesday or Wednesday afternoon
works best for me.

Cheers,
Tom
""",
    job("interview_request", None, "Tessera"),
)

add(
    "human-request-out-next-week",
    "Sam Okafor <sam.okafor@lumenbank.example>",
    "Re: Risk Analyst - next steps",
    """Hi Alex,

Unfortunately I'm out next week, so I can't do Monday. Could we schedule the interview for the
week after instead? Send me a few times that work for you and I'll book the room.

Thanks,
Sam
""",
    job("interview_request", None, "Lumen Bank"),
)

add(
    "human-request-de",
    "Jana Kiefer <jana@kiefer-soehne.example>",
    "Ihre Bewerbung als Werkstudent",
    """Hallo Alex,

danke für Ihre Bewerbung! Wir würden Sie gerne zu einem ersten Gespräch einladen. Wann hätten Sie
in der kommenden Woche Zeit? Bitte schicken Sie mir zwei, drei Terminvorschläge.

Viele Grüße
Jana Kiefer
""",
    job("interview_request", None, "Kiefer & Söhne"),
)

add(
    "human-request-fr",
    "Julien Marchand <julien.marchand@banque-azur.example>",
    "Poste de Contrôleur de gestion",
    """Bonjour Alex,

J'ai bien reçu votre candidature au poste de Contrôleur de gestion et je souhaiterais échanger avec
vous. Seriez-vous disponible jeudi ou vendredi pour un premier entretien téléphonique ?

Cordialement,
Julien Marchand
Responsable recrutement, Banque Azur
""",
    job("interview_request", None, "Banque Azur"),
)

add(
    "human-request-es",
    "Pablo Ruiz <pablo@sol-verde.example>",
    "Entrevista para Diseñador UX",
    """Hola Alex,

Hemos revisado tu candidatura y nos gustaría conocerte. ¿Estás disponible el martes o el miércoles
para una entrevista de 30 minutos? Si no, dime tu disponibilidad y lo cuadramos.

Gracias,
Pablo
Sol Verde
""",
    job("interview_request", None, "Sol Verde"),
)

add(
    "human-request-calendly-link",
    "Rachel Park <rachel.park@soylent.example>",
    "Soylent - Engineering Manager interview",
    """Hi Alex,

Thanks for your application! I'd like to invite you to an interview with me for the Engineering
Manager position. You can book a time directly here: https://calendly.com/rachel-park-soylent/45min

Rachel
""",
    job("interview_request", None, "Soylent"),
)

add(
    "human-scheduled-en",
    "Walter Bishop <walter@massive.example>",
    "Re: Research Engineer interview",
    """Hi Alex,

Perfect - Thursday at 3pm works. Your interview is confirmed for Thursday, March 12 at 3:00 PM ET;
I'll send a calendar invite with the video link shortly.

See you then,
Walter

On Mon, Mar 9, 2026, Alex Seeker <alex@seeker.example> wrote:
> Thursday at 3pm or Friday morning would both work for me.
""",
    job("interview_scheduled", None, "Massive Dynamic"),
)

add(
    "human-scheduled-de",
    "Katrin Vogel <k.vogel@nordwind-logistik.example>",
    "Terminbestätigung Vorstellungsgespräch",
    """Hallo Herr Seeker,

gerne bestätige ich Ihnen den Termin: Ihr Vorstellungsgespräch findet am Mittwoch, 18. März, um
10:00 Uhr in unserem Büro in Hamburg statt. Bitte melden Sie sich am Empfang.

Beste Grüße
Katrin Vogel
Nordwind Logistik
""",
    job("interview_scheduled", None, "Nordwind Logistik"),
)

add(
    "human-scheduled-fr",
    "Julien Marchand <julien.marchand@banque-azur.example>",
    "Confirmation d'entretien",
    """Bonjour Alex,

Je vous confirme notre entretien : votre entretien aura lieu le mardi 17 mars à 14h dans nos locaux,
12 rue de la Paix. Demandez Julien Marchand à l'accueil.

Cordialement,
Julien Marchand
Banque Azur
""",
    job("interview_scheduled", None, "Banque Azur"),
)

add(
    "human-scheduled-es",
    "Lucía Martín <lucia.martin@datos-iberica.example>",
    "Confirmación de entrevista",
    """Hola Alex,

Te escribo para confirmarte que la entrevista queda programada para el jueves 12 de marzo a las
11:00 por videollamada con Datos Ibérica. Te enviaré el enlace un día antes.

Un saludo,
Lucía
""",
    job("interview_scheduled", None, "Datos Ibérica"),
)

add(
    "human-scheduled-invite-ics",
    "Jamie Chen <jamie.chen@globex.example>",
    "Invitation: Interview - Alex Seeker / Globex @ Wed Mar 11, 2026 2pm - 3pm (CET)",
    """Jamie Chen has invited you to an event.

Interview - Alex Seeker / Globex
Wednesday Mar 11, 2026 2pm - 3pm (CET)
Join with Google Meet: https://meet.google.com/xyz-abcd-efg
""",
    job("interview_scheduled", None, "Globex"),
    ics=vevent(
        "google-77aa@google.com",
        "20260311T130000Z",
        "20260311T140000Z",
        "Interview - Alex Seeker / Globex",
        "jamie.chen@globex.example",
    ),
)

add(
    "human-assessment-en",
    "Tom Eriksen <tom@tessera.example>",
    "Tessera take-home",
    """Hi Alex,

Thanks for the great conversation! As discussed, here's the take-home assignment: build a small
rate limiter service (details in the attached PDF). Please send it back within 5 days; we'll then
review it together in the next interview.

Tom
""",
    job("assessment", None, "Tessera", deadline="2026-03-14"),
)

add(
    "human-assessment-de",
    "Jens Berger <jens.berger@kiefer-soehne.example>",
    "Probeaufgabe Data Scientist",
    """Hallo Alex,

wie besprochen sende ich Ihnen anbei die Probeaufgabe für die Position als Data Scientist. Bitte
senden Sie uns Ihre Lösung bis zum 16. März zurück.

Viele Grüße
Jens Berger
""",
    job("assessment", None, "Kiefer & Söhne", deadline="2026-03-16"),
)

add(
    "human-assessment-fr",
    "Claire Dubois <claire.dubois@helios-energie.example>",
    "Cas pratique - Chef de projet data",
    """Bonjour Alex,

Suite à notre entretien, voici le cas pratique pour le poste de Chef de projet data. Merci de nous
le renvoyer avant le 19 mars.

Bien cordialement,
Claire Dubois
""",
    job("assessment", None, "Helios Énergie", deadline="2026-03-19"),
)

add(
    "human-assessment-es",
    "Pablo Ruiz <pablo@sol-verde.example>",
    "Prueba técnica",
    """Hola Alex,

Como siguiente paso del proceso te enviamos una prueba técnica de diseño (un caso práctico de 3-4
horas). Por favor, envíanosla antes del 17 de marzo.

Gracias,
Pablo
Sol Verde
""",
    job("assessment", None, "Sol Verde", deadline="2026-03-17"),
)

add(
    "human-info-references",
    "Nora Vance <nora.vance@oscorp.example>",
    "References",
    """Hi Alex,

We're nearly there! Could you please provide two references from your last role (ideally a manager
and a peer)? The hiring committee meets on Thursday, so by Wednesday would be ideal.

Thanks,
Nora
""",
    job("info_request", None, "Oscorp", deadline="2026-03-11"),
)

add(
    "human-info-de-zeugnisse",
    "Katrin Vogel <k.vogel@nordwind-logistik.example>",
    "Fehlende Unterlagen",
    """Hallo Herr Seeker,

für die weitere Bearbeitung Ihrer Bewerbung fehlen uns noch Ihre Arbeitszeugnisse. Könnten Sie uns
diese bitte bis zum 13.03. zusenden?

Danke und beste Grüße
Katrin Vogel
""",
    job("info_request", None, "Nordwind Logistik", deadline="2026-03-13"),
)

add(
    "human-info-es-salario",
    "Lucía Martín <lucia.martin@datos-iberica.example>",
    "Siguiente paso",
    """Hola Alex,

Antes de la entrevista final, ¿podrías indicarnos tus expectativas salariales y tu fecha de
incorporación posible para el puesto de Analista de Datos?

Gracias,
Lucía
""",
    job("info_request", None, "Datos Ibérica"),
)

add(
    "human-info-fr-pretentions",
    "Julien Marchand <julien.marchand@banque-azur.example>",
    "Votre candidature - éléments complémentaires",
    """Bonjour Alex,

Afin de finaliser votre dossier de candidature, pourriez-vous nous transmettre vos prétentions
salariales ainsi que la durée de votre préavis ?

Merci d'avance,
Julien Marchand
""",
    job("info_request", None, "Banque Azur"),
)

add(
    "human-paused-freeze",
    "Jamie Chen <jamie.chen@globex.example>",
    "Quick update on the Senior Engineer search",
    """Hi Alex,

I owe you an update. We've just been told there is a hiring freeze until at least April, so we've
paused the search for the Senior Engineer role. This isn't a no: you were one of our top candidates
and I'll reach out as soon as we can restart.

Sorry for the uncertainty,
Jamie
""",
    job("paused", None, "Globex"),
)

add(
    "human-paused-de",
    "Jens Berger <jens.berger@kiefer-soehne.example>",
    "Kurzes Update zu Ihrer Bewerbung",
    """Hallo Alex,

leider haben wir intern einen Einstellungsstopp bis Ende des Quartals. Die Besetzung der Stelle ist
daher vorerst pausiert. Wir melden uns, sobald es weitergeht - Ihre Bewerbung bleibt im Prozess.

Viele Grüße
Jens
""",
    job("paused", None, "Kiefer & Söhne"),
)

add(
    "human-paused-es",
    "Pablo Ruiz <pablo@sol-verde.example>",
    "Actualización del proceso",
    """Hola Alex,

Te escribo para contarte que el proceso de selección para el puesto de Diseñador UX está en pausa
por cambios en el presupuesto. No es un no: retomaremos el contacto en cuanto se reactive.

Un saludo,
Pablo
""",
    job("paused", None, "Sol Verde"),
)

add(
    "human-paused-delayed-decision",
    "Rachel Park <rachel.park@soylent.example>",
    "Re: Engineering Manager - timeline",
    """Hi Alex,

Thanks for checking in. The decision is taking longer than expected because two of the panel are on
leave; we need a little more time to decide. I expect to have an answer for you next week.

Rachel
""",
    job("paused", None, "Soylent"),
)

add(
    "human-ack-careers-mailbox",
    "Sol Verde Careers <careers@sol-verde.example>",
    "Hemos recibido tu candidatura",
    """Hola Alex,

¡Gracias por tu candidatura para el puesto de Diseñador UX! Hemos recibido tu solicitud y la
revisaremos en los próximos días.

Equipo de Talento de Sol Verde
""",
    job("application_received", None, "Sol Verde"),
)

add(
    "human-ack-fr-careers",
    "Banque Azur Recrutement <recrutement@banque-azur.example>",
    "Accusé de réception de votre candidature",
    """Bonjour,

Nous avons bien reçu votre candidature au poste de Contrôleur de gestion et nous vous en remercions.
Elle sera étudiée avec attention par nos équipes.

Le service Recrutement de Banque Azur
""",
    job("application_received", None, "Banque Azur"),
)

add(
    "human-ack-de-eingang",
    "Kiefer & Söhne Karriere <karriere@kiefer-soehne.example>",
    "Eingangsbestätigung Ihrer Bewerbung",
    """Sehr geehrter Herr Seeker,

vielen Dank für Ihre Bewerbung als Data Scientist. Ihre Bewerbung ist bei uns eingegangen und wird
derzeit geprüft. Wir melden uns in den nächsten zwei Wochen bei Ihnen.

Mit freundlichen Grüßen
Kiefer & Söhne Karriere
""",
    job("application_received", None, "Kiefer & Söhne"),
)

# ==================================================================== hard negatives and traps
add(
    "neg-rejection-quoted-under-question",
    "Jamie Chen <jamie.chen@globex.example>",
    "Re: Re: Senior Engineer",
    """Hi Alex,

Quick question before I forward your details to our sister team: are you open to relocating to
Lisbon for the Staff Engineer role there?

Jamie

On Tue, Mar 3, 2026 at 10:12 AM Jamie Chen <jamie.chen@globex.example> wrote:
> Hi Alex, I'm sorry to say we've decided not to move forward with your application for the
> Senior Engineer role. We went with another candidate.
""",
    job("info_request", None, "Globex"),
)

add(
    "neg-rejection-quoted-outlook",
    "Sam Okafor <sam.okafor@lumenbank.example>",
    "RE: Risk Analyst",
    """Hi Alex,

Happy to share feedback. Would you be available for a 15 minute call on Friday about the interview?

Sam

-----Original Message-----
From: Lumen Bank Recruiting <recruiting@lumenbank.example>
Sent: Monday, March 2, 2026 11:00 AM
To: Alex Seeker <alex@seeker.example>
Subject: Risk Analyst

Unfortunately, we regret to inform you that you were not selected for the Risk Analyst position.
""",
    job("interview_request", None, "Lumen Bank"),
)

add(
    "neg-unfortunately-out-of-office-human",
    "Priya Raman <priya.raman@hooli.example>",
    "Re: Staff Product Designer",
    """Hi Alex,

Unfortunately I'm out next week, but I didn't want to leave you waiting: the team wants to meet you!
My colleague will send a few times for the design interview. Could you share your availability for
the week of the 16th?

Priya
""",
    job("interview_request", None, "Hooli"),
)

add(
    "neg-lunch-with-friend",
    "Ben Carter <ben.carter@gmail.com>",
    "lunch thursday?",
    """Hey Alex,

Are you free for lunch on Thursday? There's a new ramen place near the office. Unfortunately I
can't do Friday.

Ben
""",
    None,
)

add(
    "neg-newsletter-not-job",
    "The Weekly Byte <newsletter@weeklybyte.example>",
    "This week: Rust 2026, SQLite tricks and a special offer",
    """The Weekly Byte - issue 212

We're pleased to offer you 20% off our annual plan this week only.
Articles: what's new in Rust 2026; ten SQLite tricks; an interview with a compiler engineer.

Unsubscribe: https://weeklybyte.example/unsub
""",
    None,
    headers=(
        "List-Id: <weekly.weeklybyte.example>",
        "List-Unsubscribe: <https://weeklybyte.example/unsub>",
    ),
)

add(
    "neg-shop-order",
    "Nordic Outdoor Shop <orders@nordic-outdoor.example>",
    "Your order has been received",
    """Thank you for your order #88123! We have received your order and will ship it within 2 days.

Unfortunately, one item is on backorder and will follow separately.
""",
    None,
)

add(
    "neg-github-notification",
    "GitHub <notifications@github.com>",
    "[followthru/followthru] Issue #15: Read job-search mail",
    """New comment on issue #15:

Should a hiring freeze be read as a rejection? I'd say never: it's a pause.

Reply to this email directly or view it on GitHub.
""",
    None,
    headers=("List-Id: <followthru.github.com>",),
)

add(
    "neg-friend-role-chat",
    "Maya Lind <maya.lind@outlook.com>",
    "coffee",
    """Hi Alex!

So good to hear you're looking around. Happy to grab a coffee and tell you about my role and what
it's like on my team - are you free next Tuesday morning?

Maya
""",
    None,
)

add(
    "neg-team-holiday",
    "Office Manager <office@seeker-corp.example>",
    "Office closed on Friday",
    """Hi all,

The office will be closed this Friday for maintenance. Unfortunately the heating will be off too,
so please work from home.

Thanks!
""",
    None,
)

add(
    "neg-workday-newsletter-talent-community",
    "Acme Corporation <acmecorp@myworkday.com>",
    "New openings at Acme Corporation this month",
    f"""Dear Alex,

As a member of our talent community, here are new openings at Acme Corporation that match your
interests:

- Financial Planning Analyst (Frankfurt)
- Treasury Specialist (Remote)

View all jobs: {WD_LINK.format(t="acmecorp", n=5, site="External", job="")}
""",
    job("other_job", "workday", "Acme Corporation"),
)

add(
    "neg-hiring-freeze-says-unfortunately",
    "Lumen Bank <lumenbank@icims.com>",
    "Lumen Bank: update on Risk Analyst",
    """Dear Alex,

Unfortunately we have had to put the Risk Analyst role on hold due to a freeze on hiring across the
bank. We are not moving forward with any candidates until the freeze is lifted, and we will contact
you when the role reopens.

Lumen Bank Talent Acquisition
""",
    job("paused", "icims", "Lumen Bank"),
)

add(
    "neg-paused-with-no-progress-human",
    "Mara Köhler <mara@tessera.example>",
    "Re: Backend Engineer timeline",
    """Hi Alex,

Honest update: the role is on hold while we rethink the team structure after the reorg. We won't be
able to make a decision for at least a month. I'll write again in April either way.

Mara
""",
    job("paused", None, "Tessera"),
)

add(
    "neg-thank-you-interest-ack-workday",
    "Initech <initech@myworkday.com>",
    "Thank you for your interest in Initech",
    f"""Dear Alex,

Thank you for your interest in Initech! We have received your application for Business Analyst
(JR-2201). A member of our recruiting team will review your qualifications and contact you if they
match the position.

Initech Human Resources
{WD_LINK.format(t="initech", n=12, site="Initech_External", job="Business-Analyst_JR-2201")}
""",
    job("application_received", "workday", "Initech", role="Business Analyst"),
)

add(
    "neg-thank-you-interest-rejection-workday",
    "Initech <initech@myworkday.com>",
    "Thank you for your interest in Initech",
    f"""Dear Alex,

Thank you for your interest in the Business Analyst (JR-2201) position. After careful review, we
will not be moving forward with your candidacy. We appreciate the time you invested and encourage
you to apply for future openings.

Initech Human Resources
{WD_LINK.format(t="initech", n=12, site="Initech_External", job="")}
""",
    job("rejection", "workday", "Initech"),
    date="Fri, 27 Mar 2026 16:45:00 +0000",
)

add(
    "neg-offer-word-discount",
    "Hooli Store <store@hooli.example>",
    "A special offer for you",
    """Hi Alex,

We're excited to offer you free shipping on your next order of Hooli devices.

Shop now.
""",
    None,
)

add(
    "neg-interview-podcast",
    "Tech Careers Podcast <hello@techcareers-podcast.example>",
    "New episode: how to ace the system design interview",
    """This week on the podcast: how to ace the system design interview, with a staff engineer from
Nimbus Cloud. Listen now on your favourite app.
""",
    None,
    headers=("List-Unsubscribe: <mailto:unsub@techcareers-podcast.example>",),
)

add(
    "neg-user-own-followup-quoted-ack",
    "Rosa Medina <rosa.m@sabrefoods.example>",
    "Re: Thank you",
    """Hi Alex,

You're welcome - it was great to meet you too! I'll pass your note to the team.

Rosa

On Wed, Mar 4, 2026 at 6:00 PM Alex Seeker <alex@seeker.example> wrote:
> Hi Rosa, thank you for taking the time to interview me for the Supply Chain Analyst role.
""",
    None,
)

add(
    "neg-signature-rejection-word",
    "Ravi Patel <ravi@kestrel-analytics.example>",
    "Re: Analytics Engineer interview",
    """Hi Alex,

Could you do a follow-up interview with our CTO on Monday at 11? It would be about 30 minutes.

Ravi
--
Ravi Patel | Kestrel Analytics
We regret to inform you that this email may contain confidential information.
""",
    job("interview_request", None, "Kestrel Analytics"),
)

# ==================================================================== more vendors, more shapes
add(
    "greenhouse-via-display-name-ack",
    "Globex via Greenhouse <no-reply@greenhouse.io>",
    "Application confirmation",
    """Hi Alex,

This confirms that your application for Solutions Architect has been submitted successfully. The
hiring team will review it and get back to you.

Sent via Greenhouse
""",
    job("application_received", "greenhouse", "Globex"),
)

add(
    "greenhouse-reminder-html",
    f"Orbit Health <{GH}>",
    "Reminder: your interview with Orbit Health tomorrow",
    """Hi Alex,

This is a reminder of your upcoming interview with Orbit Health tomorrow, Tuesday March 10, at
2:00 PM PT with Kenji Sato (Engineering Manager).

Video link: https://zoom.us/j/99887766

Good luck!
Orbit Health Recruiting
""",
    job("interview_scheduled", "greenhouse", "Orbit Health"),
    html=True,
)

add(
    "lever-rejection-es-sol",
    "Sol Verde <no-reply@hire.lever.co>",
    "Actualización sobre tu candidatura en Sol Verde",
    """Hola Alex,

Gracias por postularte al puesto de Product Manager en Sol Verde. Tras revisar tu perfil con
atención, lamentamos informarte de que no has sido seleccionado para continuar en el proceso.

Te animamos a seguir atento a nuestras vacantes.

Equipo de Sol Verde
""",
    job("rejection", "lever", "Sol Verde"),
)

add(
    "ashby-offer-northwind",
    f"Northwind <{AB}>",
    "Your offer from Northwind",
    """Hi Alex,

Congratulations! We're excited to extend an offer for the Developer Advocate role. You can review
and sign your offer letter here: https://app.ashbyhq.com/offers/nw-221

The offer expires on March 20, 2026.

Northwind Hiring Team
""",
    job("offer", "ashby", "Northwind"),
)

add(
    "smartrecruiters-assessment-meridian",
    f"Meridian <{SR}>",
    "Meridian: online assessment for Product Owner",
    """Dear Alex,

Thank you for applying for the Product Owner position at Meridian. The next step is an online
assessment (personality and aptitude test, about 30 minutes).

Please complete the assessment within 3 business days using this link:
https://jobs.smartrecruiters.com/assessment/meridian-9a

Best regards,
Meridian Talent Acquisition
""",
    job("assessment", "smartrecruiters", "Meridian", deadline="2026-03-12"),
)

add(
    "icims-scheduled-globex",
    "Globex Careers <careers-globex@icims.com>",
    "Interview Confirmation - Regional Sales Manager",
    """Dear Alex,

Your interview for the Regional Sales Manager position has been confirmed for Thursday, March 12,
2026 at 9:30 AM with Hank Scorpio, VP Sales. Location: Globex HQ, Cypress Creek, Building 2.

Please bring a photo ID.

Globex Talent Acquisition
""",
    job("interview_scheduled", "icims", "Globex", role="Regional Sales Manager"),
)

add(
    "jobvite-paused-hooli",
    f"Hooli <{JV}>",
    "Hooli: Technical Program Manager update",
    """Hi Alex,

We wanted to let you know that the Technical Program Manager requisition is temporarily paused while
the organisation finalises its plans for next quarter. Your application is still active; we will
reach out once hiring resumes.

Hooli Talent Acquisition
""",
    job("paused", "jobvite", "Hooli"),
)

add(
    "teamtailor-offer-nordlys",
    "Nordlys Studio <no-reply@teamtailor-mail.com>",
    "An offer from Nordlys Studio",
    """Hi Alex!

We are so happy to offer you the Motion Designer position at Nordlys Studio! Your offer letter is
attached. Let us know if you have questions.

Warmly,
Nordlys Studio
""",
    job("offer", "teamtailor", "Nordlys Studio"),
)

add(
    "workable-scheduled-blueharbor",
    f"Blue Harbor <{WK}>",
    "Interview with Blue Harbor confirmed",
    """Hi Alex,

Your interview for the Data Engineer job has been confirmed for Wednesday, March 11, 2026 at
10:00 AM (Europe/Amsterdam). You will meet Sanne de Vries and Pieter Jansen.

A calendar invitation is attached.

Blue Harbor
""",
    job("interview_scheduled", "workable", "Blue Harbor"),
    ics=vevent(
        "wk-bh-552@workable.com",
        "20260311T090000Z",
        "20260311T100000Z",
        "Interview: Alex Seeker (Data Engineer)",
        "recruiting@blueharbor.example",
    ),
)

add(
    "bamboohr-request-vandelay",
    f"Vandelay Industries <{BH}>",
    "Vandelay Industries - let's talk!",
    """Hi Alex,

Thanks for applying for the Latex Sales Associate position! We would like to set up a call with you
to discuss the role. Please reply with your availability for this week.

Art Vandelay
""",
    job("interview_request", "bamboohr", "Vandelay Industries"),
)

add(
    "recruitee-ack-nl-tulip",
    "Tulip Systems <no-reply@recruitee.com>",
    "Thank you for applying to Tulip Systems",
    """Hi Alex,

Thank you for your application for the Frontend Developer position at Tulip Systems. We have received
it and will review it within five working days.

Kind regards,
Tulip Systems Recruitment
""",
    job("application_received", "recruitee", "Tulip Systems", role="Frontend Developer"),
)

add(
    "personio-rejection-de",
    "Kiefer & Söhne <noreply@personio.de>",
    "Ihre Bewerbung bei Kiefer & Söhne",
    """Hallo Alex,

vielen Dank für Ihre Bewerbung und Ihr Interesse an Kiefer & Söhne. Leider müssen wir Ihnen
mitteilen, dass wir Ihre Bewerbung nicht weiter berücksichtigen können.

Wir wünschen Ihnen alles Gute.

Ihr Kiefer & Söhne Team
""",
    job("rejection", "personio", "Kiefer & Söhne"),
)

add(
    "personio-ack-de",
    "Fernweh Reisen <noreply@personio.de>",
    "Eingangsbestätigung Ihrer Bewerbung bei Fernweh Reisen",
    """Hallo Alex,

vielen Dank für Ihre Bewerbung als Produktmanager (m/w/d). Ihre Bewerbung ist bei uns eingegangen.
Wir prüfen Ihre Unterlagen und melden uns zeitnah.

Ihr Fernweh Reisen Team
""",
    job("application_received", "personio", "Fernweh Reisen"),
)

add(
    "greenhouse-paused-filled-and-rejected",
    f"Tyrell <{GH}>",
    "Tyrell - Android Engineer",
    """Hi Alex,

Thank you for your patience. The Android Engineer position has been filled, and we have decided not
to move forward with your application for other roles at this time.

Best wishes,
Tyrell Recruiting
""",
    job("rejection", "greenhouse", "Tyrell"),
)

# ==================================================================== referrals ("not me, try ...")
add(
    "referral-not-me-try-jane",
    "Ben Ortiz <ben.ortiz@nimbus.example>",
    "Re: Platform Engineer role at Nimbus Cloud",
    """Hi Alex,

Thanks for reaching out! I'm not the right person for this - I'm on the data side. Please reach out
to Jane Holm <jane.holm@nimbus.example>, she's the hiring manager for the platform team.

Good luck,
Ben
""",
    job("other_job", None, "Nimbus Cloud", referral="jane.holm@nimbus.example"),
)

add(
    "referral-de-nicht-zustaendig",
    "Martin Krause <m.krause@fernweh-reisen.example>",
    "AW: Bewerbung Produktmanager",
    """Hallo Alex,

für die Stelle bin ich leider nicht zuständig. Wenden Sie sich bitte an Frau Sabine Lorenz
(s.lorenz@fernweh-reisen.example), sie betreut die Besetzung.

Viele Grüße
Martin Krause
""",
    job("other_job", None, "Fernweh Reisen", referral="s.lorenz@fernweh-reisen.example"),
)

add(
    "referral-with-request",
    "Dana Whitfield <dana@cyberdyne.example>",
    "Re: ML Infrastructure role",
    """Hi Alex,

Happy to help! I don't run this search any more: you should talk to Kyle Reese (kyle.reese@cyberdyne.example),
who is hiring for the ML Infrastructure team. He'd like to find a time for a chat with you next week.

Dana
""",
    job("interview_request", None, "Cyberdyne", referral="kyle.reese@cyberdyne.example"),
)

add(
    "referral-fr",
    "Julien Marchand <julien.marchand@banque-azur.example>",
    "Re: Candidature spontanée",
    """Bonjour Alex,

Je ne suis pas la bonne personne pour votre candidature : contactez plutôt Émilie Roux
(emilie.roux@banque-azur.example), qui gère le recrutement de l'équipe data.

Cordialement,
Julien
""",
    job("other_job", None, "Banque Azur", referral="emilie.roux@banque-azur.example"),
)

add(
    "referral-es",
    "Lucía Martín <lucia.martin@datos-iberica.example>",
    "Re: Candidatura Analista",
    """Hola Alex,

No soy la persona adecuada para esta vacante; escribe a Javier Gómez <javier.gomez@datos-iberica.example>,
que lleva el proceso de selección de ingeniería.

Un saludo,
Lucía
""",
    job("other_job", None, "Datos Ibérica", referral="javier.gomez@datos-iberica.example"),
)


# ==================================================================== written after the rules
# Three sets of 16 written after the corpus and first read without changing a rule (6, 8 and
# 9 of 16 read right); the rules were then widened by wording families, and they joined here.

add(
    "later-h01-greenhouse-rejection",
    "Talent at Quanta <no-reply@us.greenhouse-mail.io>",
    "Quanta: where things stand",
    "Hi Alex,\n\nWe appreciate your patience. The team has met and, although your experience is impressive, we will be proceeding with candidates whose backgrounds more closely align with the Data Platform Lead role.\n\nWarm regards,\nQuanta Talent",
    job("rejection", "greenhouse", "Quanta"),
)

add(
    "later-h02-human-interview-request",
    "Jordan Lee <jordan.lee@veritas-labs.example>",
    "Re: Veritas Labs - Senior SRE",
    "Hi Alex,\n\nGreat news: the panel would like to meet you for a final loop. What does your calendar look like the week of the 23rd?\n\nJordan",
    job("interview_request", None, "Veritas Labs"),
)

add(
    "later-h03-workday-paused",
    "Fintrust <fintrust@myworkday.com>",
    "Your candidacy at Fintrust",
    "Dear Alex,\n\nWe wanted to inform you that the Credit Analyst requisition has been cancelled due to a change in business needs. We thank you for your interest.\n\nFintrust Talent Acquisition",
    job("paused", "workday", "Fintrust"),
)

add(
    "later-h04-ashby-assessment",
    "Orion Games <no-reply@ashbyhq.com>",
    "Orion Games - Gameplay Engineer challenge",
    "Hi Alex,\n\nThe next step is a short programming exercise. You can start it any time using the link below; please submit your solution by Sunday, March 15.\n\nhttps://app.ashbyhq.com/x\n\nOrion Games Recruiting",
    job("assessment", "ashby", "Orion Games", deadline="2026-03-15"),
)

add(
    "later-h05-smartrecruiters-application-received",
    "Helix Bio <notification@smartrecruiters.com>",
    "Application for Lab Technician at Helix Bio",
    "Dear Alex,\n\nThanks for submitting your application for Lab Technician. Our recruiters will review it and be in touch if there is a match.\n\nHelix Bio",
    job("application_received", "smartrecruiters", "Helix Bio", role="Lab Technician"),
)

add(
    "later-h06-human-interview-request",
    "Pia Schmitt <pia.schmitt@rheinwerk-it.example>",
    "Ihre Bewerbung als DevOps Engineer",
    "Hallo Alex,\n\nvielen Dank für Ihre Unterlagen. Wir möchten Sie gerne persönlich kennenlernen - passt Ihnen Dienstag, 17. März, um 11 Uhr?\n\nViele Grüße\nPia Schmitt\nRheinwerk IT",
    job("interview_request", None, "Rheinwerk IT", role="DevOps Engineer"),
)

add(
    "later-h07-human-rejection",
    "Léa Martin <lea.martin@cafe-lumiere.example>",
    "Votre candidature",
    "Bonjour Alex,\n\nAprès examen de votre dossier, nous avons le regret de vous annoncer que nous ne retiendrons pas votre candidature pour le poste de Barista manager.\n\nCordialement,\nLéa",
    job("rejection", None, "Café Lumière"),
)

add(
    "later-h08-human-offer",
    "Carlos Vega <carlos.vega@andes-tech.example>",
    "Oferta",
    "Hola Alex,\n\nNos complace ofrecerte el puesto de Ingeniero Backend. Te adjunto la carta oferta con todos los detalles.\n\nSaludos,\nCarlos",
    job("offer", None, "Andes Tech"),
)

add(
    "later-h09-linkedin-other-job",
    "LinkedIn <jobs-noreply@linkedin.com>",
    "Alex, Veritas Labs viewed your application",
    "Veritas Labs viewed your application for Senior SRE.\n\nSee your application status on LinkedIn.",
    job("other_job", "linkedin", "Veritas Labs"),
)

add(
    "later-h10-human-not-job",
    "Sam Park <sam@quanta.example>",
    "Re: lunch",
    "Sounds great, Thursday at noon at the usual place. Unfortunately Ana can't make it.\n\nSam",
    None,
)

add(
    "later-h11-lever-interview-scheduled",
    "Quanta <no-reply@hire.lever.co>",
    "Quanta - interview details",
    "Hi Alex,\n\nYou're all set! We've booked your 45-minute technical interview on Tuesday, March 17 at 10:00 AM PT with Dana Ruiz. A calendar invite will follow.\n\nQuanta Recruiting",
    job("interview_scheduled", "lever", "Quanta"),
)

add(
    "later-h12-workable-info-request",
    "Veritas Labs <noreply@candidates.workablemail.com>",
    "Veritas Labs: we need a bit more information",
    "Hi Alex,\n\nTo complete your application for Senior SRE, please answer the short questionnaire about your on-call experience: https://apply.workable.com/veritas/q/1\n\nVeritas Labs",
    job("info_request", "workable", "Veritas Labs"),
)

add(
    "later-h13-indeed-other-job",
    "Indeed <alert@indeed.com>",
    "New SRE jobs near you",
    "Site Reliability Engineer - Quanta - Remote\nSRE II - Veritas Labs - Berlin\n\nManage your alerts.",
    job("other_job", "indeed", None),
)

add(
    "later-h14-human-paused",
    "Ana Ruiz <ana.ruiz@andes-tech.example>",
    "Re: Ingeniero Backend",
    "Hola Alex,\n\nTe cuento que la decisión final se va a retrasar un par de semanas por vacaciones del equipo. Seguimos muy interesados en tu perfil.\n\nAna",
    job("paused", None, "Andes Tech"),
)

add(
    "later-h15-human-other-job",
    "Mia Chen <mia.chen@orion-games.example>",
    "Re: Gameplay Engineer",
    "Hi Alex,\n\nI'm not the hiring manager for that team; Ravi Shah (ravi.shah@orion-games.example) is, and I've let him know you'll reach out.\n\nMia",
    job("other_job", None, "Orion Games", referral="ravi.shah@orion-games.example"),
)

add(
    "later-h16-smartrecruiters-rejection",
    "Helix Bio <notification@smartrecruiters.com>",
    "Helix Bio: Lab Technician",
    "Dear Alex,\n\nThank you for your interest in Helix Bio. Unfortunately, we have filled the Lab Technician position with a candidate whose profile better matched our requirements.\n\nHelix Bio",
    job("rejection", "smartrecruiters", "Helix Bio"),
)

add(
    "later-k01-greenhouse-rejection",
    "Brightwave <no-reply@us.greenhouse-mail.io>",
    "Following up on your Brightwave application",
    "Hi Alex,\n\nThank you for giving us the chance to learn about you. We've now reviewed all applicants for the Marketing Analyst opening and have made the difficult decision to not advance your application.\n\nAll the best,\nBrightwave People Team",
    job("rejection", "greenhouse", "Brightwave"),
)

add(
    "later-k02-lever-interview-request",
    "Corvid Security <no-reply@hire.lever.co>",
    "Corvid Security - scheduling your next conversation",
    "Hi Alex,\n\nThe hiring team enjoyed your first call! Please pick a slot for a 60-minute technical deep-dive here: https://hire.lever.co/interviews/abc\n\nCorvid Security Recruiting",
    job("interview_request", "lever", "Corvid Security"),
)

add(
    "later-k03-workday-paused",
    "Elmstead Hospital <elmstead@myworkday.com>",
    "Application status update",
    "Dear Alex,\n\nThe position of Patient Services Coordinator (JR-7781) has been closed and will not be filled at this time. Thank you for your interest in Elmstead Hospital.\n\nElmstead Talent Acquisition",
    job("paused", "workday", "Elmstead Hospital"),
)

add(
    "later-k04-human-offer",
    "Tom Baker <tom.baker@kitewire.example>",
    "Offer details",
    "Hi Alex,\n\nI'm very happy to let you know that we'd like you to join Kitewire as Senior Product Designer! Please find the contract attached; let me know if you'd like to discuss anything.\n\nTom",
    job("offer", None, "Kitewire"),
)

add(
    "later-k05-ashby-application-received",
    "Kitewire <no-reply@ashbyhq.com>",
    "Kitewire: thanks for applying!",
    "Hi Alex,\n\nWe got your application for Senior Product Designer and will be in touch soon.\n\nKitewire",
    job("application_received", "ashby", "Kitewire", role="Senior Product Designer"),
)

add(
    "later-k06-human-info-request",
    "Nadia Petrova <nadia@corvid-security.example>",
    "Re: Security Engineer",
    "Hi Alex,\n\nCould you send over two professional references and a copy of your latest certification before Friday?\n\nThanks!\nNadia",
    job("info_request", None, "Corvid Security", deadline="2026-03-13"),
)

add(
    "later-k07-human-interview-request",
    "Jens Olsen <jens.olsen@fjord-data.example>",
    "Einladung",
    "Hallo Alex,\n\nwir möchten Sie zu einem Vorstellungsgespräch für die Position Data Engineer einladen. Bitte teilen Sie uns mit, welche Termine Ihnen in der nächsten Woche passen.\n\nBeste Grüße\nJens Olsen",
    job("interview_request", None, "Fjord Data"),
)

add(
    "later-k08-personio-rejection",
    "Fjord Data <noreply@personio.de>",
    "Absage: Data Engineer",
    "Hallo Alex,\n\nvielen Dank für Ihr Interesse. Nach sorgfältiger Prüfung haben wir uns entschieden, den Prozess mit anderen Bewerberinnen und Bewerbern fortzusetzen.\n\nIhr Fjord Data Team",
    job("rejection", "personio", "Fjord Data"),
)

add(
    "later-k09-human-interview-scheduled",
    "Sophie Laurent <sophie@atelier-nord.example>",
    "Entretien confirmé",
    "Bonjour Alex,\n\nC'est noté pour jeudi 12 mars à 10h30 dans nos bureaux. Vous rencontrerez Marc et Julie de l'équipe produit.\n\nÀ jeudi,\nSophie",
    job("interview_scheduled", None, "Atelier Nord"),
)

add(
    "later-k10-teamtailor-assessment",
    "Atelier Nord <no-reply@teamtailor-mail.com>",
    "Test technique - Atelier Nord",
    "Bonjour Alex,\n\nMerci pour votre candidature ! Voici le lien vers notre test technique, à compléter sous 5 jours : https://x.teamtailor.com/t\n\nL'équipe Atelier Nord",
    job("assessment", "teamtailor", "Atelier Nord"),
)

add(
    "later-k11-human-paused",
    "Raúl Ortega <raul@mar-azul.example>",
    "Proceso de selección",
    "Hola Alex,\n\nGracias por tu interés. Por ahora hemos puesto el proceso en espera por reorganización interna; te escribiremos en cuanto se reactive.\n\nRaúl",
    job("paused", None, "Mar Azul"),
)

add(
    "later-k12-smartrecruiters-application-received",
    "Mar Azul <notification@smartrecruiters.com>",
    "Tu candidatura a Mar Azul",
    "Hola Alex,\n\nHemos recibido tu candidatura para el puesto de Analista Financiero. La revisaremos y te contactaremos si tu perfil encaja.\n\nMar Azul",
    job("application_received", "smartrecruiters", "Mar Azul", role="Analista Financiero"),
)

add(
    "later-k13-glassdoor-other-job",
    "Glassdoor Jobs <noreply@glassdoor.com>",
    "Jobs for you: Product Designer",
    "Product Designer at Kitewire - Remote\nUX Designer at Atelier Nord - Paris\n\nUnsubscribe",
    job("other_job", "glassdoor", None),
)

add(
    "later-k14-human-not-job",
    "Pat O'Neill <pat.oneill@gmail.com>",
    "long time!",
    "Hey Alex, unfortunately I missed your call. Let's catch up next week? Are you free Wednesday?\n\nPat",
    None,
)

add(
    "later-k15-goodtime-interview-scheduled",
    "Corvid Security Candidate Calendar <scheduling@goodtime.io>",
    "Confirmed: Corvid Security interviews on Mar 18",
    "Hi Alex,\n\nYour interviews are confirmed for Wednesday, March 18, 1:00-3:30 PM ET. Itinerary: 1:00 Coding (Li Wei), 2:00 System design (Omar Haddad), 3:00 Manager chat (Nadia Petrova).\n\nCorvid Security",
    job("interview_scheduled", "goodtime", "Corvid Security"),
)

add(
    "later-k16-greenhouse-paused",
    "Brightwave <no-reply@us.greenhouse-mail.io>",
    "Brightwave update",
    "Hi Alex,\n\nQuick note: our hiring for the Marketing Analyst opening is on pause while we finalise budgets. We'll be back in touch in April.\n\nBrightwave People Team",
    job("paused", "greenhouse", "Brightwave"),
)

add(
    "later-m01-lever-rejection",
    "Lumio <no-reply@hire.lever.co>",
    "Lumio application update",
    "Hi Alex,\n\nThanks for your interest in the Growth Marketer role at Lumio. We've carefully considered your application and unfortunately we will not be inviting you to interview at this stage.\n\nBest,\nLumio Talent",
    job("rejection", "lever", "Lumio", role="Growth Marketer"),
)

add(
    "later-m02-human-interview-request",
    "Hannah Gray <hannah.gray@northpeak.example>",
    "Northpeak - next step",
    "Hi Alex,\n\nThanks for chatting with me yesterday! The hiring manager would like to do a 45 minute video interview. Here is my scheduling link: https://calendly.com/hannah-northpeak/45min - please grab any slot that suits you.\n\nHannah",
    job("interview_request", None, "Northpeak"),
)

add(
    "later-m03-bamboohr-application-received",
    "Northpeak <notifications@app.bamboohr.com>",
    "Thank you for applying to Northpeak",
    "Hi Alex,\n\nThis is a quick note to confirm we received your application for Customer Support Lead. We'll be in touch if we'd like to move forward.\n\nNorthpeak",
    job("application_received", "bamboohr", "Northpeak", role="Customer Support Lead"),
)

add(
    "later-m04-workday-assessment",
    "Ostara Energy <ostara@myworkday.com>",
    "Ostara Energy - Online Assessment",
    "Dear Alex,\n\nAs the next step for the Grid Analyst role, please complete the numerical reasoning assessment at the link below. The assessment must be completed by 16 March 2026.\n\nhttps://ostara.wd3.myworkdayjobs.com/x\n\nOstara Energy Talent Acquisition",
    job("assessment", "workday", "Ostara Energy", deadline="2026-03-16"),
)

add(
    "later-m05-human-rejection",
    "Lena Wolff <lena.wolff@baumhaus.example>",
    "Ihre Bewerbung",
    "Hallo Alex,\n\nleider müssen wir Ihnen mitteilen, dass wir uns gegen Ihre Bewerbung entschieden haben. Wir bedanken uns für Ihr Interesse an Baumhaus.\n\nFreundliche Grüße\nLena Wolff",
    job("rejection", None, "Baumhaus"),
)

add(
    "later-m06-personio-interview-scheduled",
    "Baumhaus <noreply@personio.de>",
    "Baumhaus: Terminbestätigung",
    "Hallo Alex,\n\nIhr Gespräch am Freitag, 13. März 2026 um 9:30 Uhr ist bestätigt. Sie sprechen mit Lena Wolff und Timo Kraus.\n\nIhr Baumhaus Team",
    job("interview_scheduled", "personio", "Baumhaus"),
)

add(
    "later-m07-workday-rejection",
    "Ostara Energy <ostara@myworkday.com>",
    "Thank you for your interest in Ostara Energy",
    "Dear Alex,\n\nThank you for your interest in Ostara Energy. Although your background is impressive, we have decided to move forward with applicants whose experience better aligns with the Grid Analyst position.\n\nOstara Energy Talent Acquisition",
    job("rejection", "workday", "Ostara Energy"),
)

add(
    "later-m08-human-interview-request",
    "Inès Moreau <ines.moreau@solvay-conseil.example>",
    "Poste de consultante",
    "Bonjour Alex,\n\nNous aimerions vous proposer un premier échange téléphonique de 30 minutes. Quelles seraient vos disponibilités cette semaine ?\n\nInès Moreau",
    job("interview_request", None, "Solvay Conseil"),
)

add(
    "later-m09-workable-offer",
    "Solvay Conseil <noreply@candidates.workablemail.com>",
    "Votre candidature chez Solvay Conseil",
    "Bonjour Alex,\n\nNous avons le plaisir de vous proposer le poste de Consultante Senior. Vous trouverez ci-joint votre contrat.\n\nSolvay Conseil",
    job("offer", "workable", "Solvay Conseil"),
)

add(
    "later-m10-human-info-request",
    "Diego Paredes <diego@pampa-logistica.example>",
    "Referencias",
    "Hola Alex,\n\nEstamos en la última fase. ¿Podrías enviarnos el contacto de dos referencias profesionales antes del viernes?\n\nGracias,\nDiego\nPampa Logística",
    job("info_request", None, "Pampa Logística", deadline="2026-03-13"),
)

add(
    "later-m11-smartrecruiters-paused",
    "Pampa Logística <notification@smartrecruiters.com>",
    "Pampa Logística - actualización",
    "Hola Alex,\n\nQueremos informarte que el proceso para la vacante de Coordinador de Operaciones ha sido suspendido temporalmente. Te contactaremos cuando se reanude.\n\nPampa Logística",
    job("paused", "smartrecruiters", "Pampa Logística"),
)

add(
    "later-m12-linkedin-application-received",
    "LinkedIn <jobs-noreply@linkedin.com>",
    "Alex, your application was sent to Lumio",
    "Your application was sent to Lumio\n\nGrowth Marketer\nLumio - Lisbon (Hybrid)\nApplied on March 9, 2026",
    job("application_received", "linkedin", "Lumio"),
)

add(
    "later-m13-human-not-job",
    "Ravi Kumar <ravi.kumar@tangent.example>",
    "dinner?",
    "Hey Alex, are you around Friday evening? Unfortunately Maya is travelling but the rest of us are in.\n\nRavi",
    None,
)

add(
    "later-m14-ashby-interview-scheduled",
    "Tangent Analytics <no-reply@ashbyhq.com>",
    "Tangent Analytics - Interview confirmed",
    "Hi Alex,\n\nYou're confirmed for your onsite at Tangent Analytics on Thursday, March 19. Your schedule: 10:00 Case interview (Priya N.), 11:00 SQL pairing (Ben O.), 12:00 Lunch with the team.\n\nTangent Analytics Recruiting",
    job("interview_scheduled", "ashby", "Tangent Analytics"),
)

add(
    "later-m15-human-not-job",
    "Substack Weekly <newsletter@careers-digest.example>",
    "Career Digest: 10 interview mistakes",
    "This week: the 10 interview mistakes hiring managers see most, and how to negotiate an offer.\n\nUnsubscribe",
    None,
)

add(
    "later-m16-ashby-rejection",
    "Tangent Analytics <no-reply@ashbyhq.com>",
    "Tangent Analytics - update",
    "Hi Alex,\n\nThank you for your patience. We wanted to let you know that we've extended an offer to another candidate for this role, and they have accepted.\n\nTangent Analytics Recruiting",
    job("rejection", "ashby", "Tangent Analytics"),
)

# A fourth set of 16, first read by the widened rules: 4 of 16 (no rejection invented);
# the rules were widened once more and it joined here.

add(
    "later-n01-greenhouse-rejection",
    "Parcel Pilot <no-reply@us.greenhouse-mail.io>",
    "Parcel Pilot | Backend Engineer",
    "Hi Alex,\n\nThank you so much for the time you've invested in interviewing with us. After a lot of discussion, the team has decided that we won't be extending an offer for the Backend Engineer role.\n\nWe're grateful for your interest,\nParcel Pilot Recruiting",
    job("rejection", "greenhouse", "Parcel Pilot"),
)

add(
    "later-n02-human-interview-request",
    "Emma Stone <emma.stone@parcelpilot.example>",
    "Parcel Pilot onsite",
    "Hi Alex,\n\nSo glad you're moving on to the onsite! Could you let me know which days next week you could come into the office for about three hours?\n\nEmma",
    job("interview_request", None, "Parcel Pilot"),
)

add(
    "later-n03-ashby-interview-scheduled",
    "Rivermint <no-reply@ashbyhq.com>",
    "Rivermint: your interview on March 12",
    "Hi Alex,\n\nJust confirming your 30-minute intro call with our Head of Engineering on Thursday, March 12 at 4pm CET. The Zoom link is in the calendar invite.\n\nRivermint Recruiting",
    job("interview_scheduled", "ashby", "Rivermint"),
)

add(
    "later-n04-ashby-assessment",
    "Rivermint <no-reply@ashbyhq.com>",
    "Rivermint: home assignment",
    "Hi Alex,\n\nAs discussed, attached is our home assignment. Please return it within one week; we'll review it together in your next interview.\n\nRivermint Recruiting",
    job("assessment", "ashby", "Rivermint", deadline="2026-03-16"),
)

add(
    "later-n05-human-info-request",
    "Sabine Koch <s.koch@alpenblick-hotels.example>",
    "Ihre Bewerbung als Rezeptionsleiter",
    "Hallo Alex,\n\nbitte senden Sie uns noch Ihren Lebenslauf in deutscher Sprache sowie Ihr letztes Arbeitszeugnis, damit wir Ihre Bewerbung vollständig prüfen können.\n\nViele Grüße\nSabine Koch",
    job("info_request", None, "Alpenblick Hotels"),
)

add(
    "later-n06-personio-application-received",
    "Alpenblick Hotels <noreply@personio.de>",
    "Ihre Bewerbung bei Alpenblick Hotels",
    "Hallo Alex,\n\nwir haben Ihre Bewerbung als Rezeptionsleiter erhalten und melden uns innerhalb von zwei Wochen bei Ihnen.\n\nIhr Alpenblick Hotels Team",
    job("application_received", "personio", "Alpenblick Hotels"),
)

add(
    "later-n07-human-paused",
    "Margaux Petit <margaux.petit@verrerie-azur.example>",
    "Suite de votre candidature",
    "Bonjour Alex,\n\nJe reviens vers vous concernant le poste d'Acheteur. Le processus de recrutement est actuellement gelé suite à une réorganisation ; je vous recontacterai dès que possible.\n\nMargaux",
    job("paused", None, "Verrerie Azur"),
)

add(
    "later-n08-teamtailor-rejection",
    "Verrerie Azur <no-reply@teamtailor-mail.com>",
    "Verrerie Azur - Acheteur",
    "Bonjour Alex,\n\nNous vous remercions pour l'intérêt porté à Verrerie Azur. Malheureusement, nous avons décidé de poursuivre avec des profils plus proches de nos besoins.\n\nL'équipe Verrerie Azur",
    job("rejection", "teamtailor", "Verrerie Azur"),
)

add(
    "later-n09-human-offer",
    "Javier Ríos <javier.rios@olivar-foods.example>",
    "¡Bienvenido!",
    "Hola Alex,\n\nNos alegra mucho comunicarte que has sido seleccionado para el puesto de Jefe de Producción. Te enviaremos el contrato esta semana.\n\nUn abrazo,\nJavier",
    job("offer", None, "Olivar Foods"),
)

add(
    "later-n10-smartrecruiters-interview-scheduled",
    "Olivar Foods <notification@smartrecruiters.com>",
    "Olivar Foods: entrevista",
    "Hola Alex,\n\nTu entrevista para el puesto de Jefe de Producción ha quedado fijada para el martes 17 de marzo a las 10:00 en nuestra planta de Jaén.\n\nOlivar Foods",
    job("interview_scheduled", "smartrecruiters", "Olivar Foods"),
)

add(
    "later-n11-linkedin-other-job",
    "LinkedIn <jobs-noreply@linkedin.com>",
    "Your application to Parcel Pilot",
    "Your application was viewed by Parcel Pilot\n\nBackend Engineer - Parcel Pilot - Remote\n\nView application",
    job("other_job", "linkedin", "Parcel Pilot"),
)

add(
    "later-n12-human-not-job",
    "Grace Ho <grace.ho@outlook.com>",
    "Re: drinks",
    "Ha, yes! Unfortunately I already have plans Saturday, but Sunday afternoon works. Are you free then?\n\nGrace",
    None,
)

add(
    "later-n13-human-other-job",
    "Rivermint Careers <careers@rivermint.example>",
    "Rivermint Engineering Newsletter - March",
    "Hi there,\n\nThis month at Rivermint: our new Lisbon office, a deep dive into our data platform, and 6 new open positions across engineering.\n\nUnsubscribe",
    job("other_job", None, "Rivermint"),
)

add(
    "later-n14-human-not-job",
    "Workable <noreply@workable.com>",
    "Your Workable account",
    "Hi Alex,\n\nYour password was changed successfully. If this wasn't you, please contact support.\n\nWorkable",
    None,
)

add(
    "later-n15-greenhouse-info-request",
    "Parcel Pilot <no-reply@us.greenhouse-mail.io>",
    "Parcel Pilot: before your onsite",
    "Hi Alex,\n\nAhead of your onsite, please fill in the candidate information form (legal name, work authorisation, dietary requirements) by March 13.\n\nParcel Pilot Recruiting",
    job("info_request", "greenhouse", "Parcel Pilot", deadline="2026-03-13"),
)

add(
    "later-n16-human-rejection",
    "Tobias Lang <tobias.lang@alpenblick-hotels.example>",
    "Re: Rezeptionsleiter",
    "Hallo Alex,\n\nwir haben uns leider für eine interne Lösung entschieden. Vielen Dank für das nette Gespräch!\n\nTobias",
    job("rejection", None, "Alpenblick Hotels"),
)


if __name__ == "__main__":
    write()
