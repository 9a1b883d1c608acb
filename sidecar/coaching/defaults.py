"""The three pages every program starts with, in Tether's own words. An admin or the
clinical lead may edit or retire them; they are stored once and never put back.

Why they say what they say is in docs/clinical.md ("Caregiver coaching")."""

from __future__ import annotations

from sidecar.coaching.model import PageText

SUPPORTIVE_LANGUAGE = PageText(
    title="What to say, and what to avoid",
    summary="Simple words that help someone feel heard when they are struggling.",
    body="""\
When someone you care about is having a hard time, you do not need perfect words. Being
there, calm and interested, helps more than any advice.

## Things that help

- **Listen first.** Let them finish. Short answers like "I'm here" or "Tell me more" are
  enough.
- **Say what you notice, kindly.** "You seem really worn out lately. How are you doing?"
- **Take their feelings seriously.** "That sounds really hard" works better than trying
  to cheer them up.
- **Ask straight out if you are worried.** "Are you thinking about suicide?" Asking
  plainly does not put the idea in someone's head. It shows you can hear the answer.
- **Thank them for telling you.** It often takes courage to say how bad things are.
- **Offer one small next step.** "Do you want to call your care team together?" or
  "Can I sit with you for a while?"

## Things to avoid

- Arguing about whether things are really that bad.
- "Just think positive", "others have it worse", or "you have so much to live for".
- Promising to keep a secret about their safety. You can say: "I care about you too much
  to keep this to myself."
- Lecturing, blaming, or asking "why" over and over.
- Leaving them alone if they have told you they might act on thoughts of suicide.

## Look after yourself too

Supporting someone is tiring. It is fine to ask the care team for help, and to lean on a
friend of your own.

> If you think they may be in danger now, call or text the crisis line at the top of this
> page. If someone's life is at risk right now, call 911.
""")

CALMING_DOWN = PageText(
    title="Helping someone calm down",
    summary="What to do at home when someone is very upset, angry or panicking.",
    body="""\
When someone is very upset, their body is in alarm mode and it is hard for them to think
clearly. Your calm can help theirs return.

## Keep yourself steady

- Take a slow breath before you speak. Talk softly and slowly.
- Keep your hands visible and relaxed. Stand or sit a little to the side, not
  face to face, and leave them room to move.
- You do not have to win the argument or solve the problem right now.

## Make things quieter

- Turn off the TV or music. Ask others to give you both some space.
- Offer one simple choice: "Would you like to sit down, or go for a short walk?"
- Offer water, a blanket, or a quieter room.

## Listen, then name the feeling

- Let them talk. Nod, and keep your answers short.
- Say back what you hear: "You're really angry that this happened." Naming a feeling
  often takes some of its heat away.
- Avoid "calm down" and "you're overreacting". They usually make things worse.

## Breathe together

Try breathing in slowly for four counts and out for six, a few times, side by side.

## When to get help

Step away and call for help if anyone is being hurt or threatened, if they have a weapon,
or if they talk about ending their life.

> Call or text the crisis line at the top of this page to talk it through with someone.
> If anyone is in danger right now, call 911.
""")

HOME_SAFER = PageText(
    title="Making home safer",
    summary="Putting medicines, firearms and other dangerous things out of reach for a while.",
    body="""\
A suicidal crisis can come on fast and pass within minutes or hours. Putting time and
distance between a person and the most dangerous things in the home gives that crisis a
chance to pass. This is one of the most useful things a family can do.

## Medicines

- Keep only small amounts of medicine at home, for prescriptions and for pain or
  sleep remedies from the shop.
- Store the rest in a locked box, or ask someone outside the home to hold it.
- Take old and unused medicines to a pharmacy take-back.
- If you can, one trusted person gives out the daily doses.

## Firearms

- The safest choice during a hard time is to store firearms away from the home for a
  while.
- Someone the person trusts can hold them: a relative or friend who may legally own
  them. Some gun shops and ranges offer storage; ask first.
- If they stay at home: unloaded, locked in a safe or with a cable lock, with the
  ammunition locked apart. The person at risk should not know the code or hold the key.
- This is for a time, not forever. Agree when you will talk about it again.

## Other things to think about

Sharp objects, alcohol, car keys and ropes or cords can matter too. Think about what is
in your home, and talk it over with the care team.

## Talking about it

Make it about care, not control: "I want to keep you safe while things are this hard.
Can we agree who holds these for now?" Include the person in deciding, if you can.

> If you are worried about someone's safety right now, call or text the crisis line at
> the top of this page. If someone's life is at risk right now, call 911.
""")

DEFAULTS: dict[str, PageText] = {
    "what-to-say": SUPPORTIVE_LANGUAGE,
    "calming-down": CALMING_DOWN,
    "making-home-safer": HOME_SAFER,
}
