"""A small sakila-like SQLite database with realistic rows (stores, staff, customers, films, rentals, payments)."""

from __future__ import annotations

import random
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

SCHEMA = """
CREATE TABLE country (country_id INTEGER PRIMARY KEY, country TEXT NOT NULL);
CREATE TABLE city (city_id INTEGER PRIMARY KEY, city TEXT NOT NULL,
    country_id INTEGER NOT NULL REFERENCES country(country_id));
CREATE TABLE address (address_id INTEGER PRIMARY KEY, address TEXT NOT NULL, district TEXT NOT NULL,
    city_id INTEGER NOT NULL REFERENCES city(city_id), postal_code TEXT, phone TEXT NOT NULL);
CREATE TABLE language (language_id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE staff (staff_id INTEGER PRIMARY KEY, first_name TEXT NOT NULL, last_name TEXT NOT NULL,
    address_id INTEGER NOT NULL REFERENCES address(address_id), email TEXT, store_id INTEGER NOT NULL,
    active INTEGER NOT NULL DEFAULT 1, username TEXT NOT NULL);
CREATE TABLE store (store_id INTEGER PRIMARY KEY,
    manager_staff_id INTEGER NOT NULL REFERENCES staff(staff_id),
    address_id INTEGER NOT NULL REFERENCES address(address_id));
CREATE TABLE customer ( -- a person who rents films
    customer_id INTEGER PRIMARY KEY,
    store_id INTEGER NOT NULL REFERENCES store(store_id), -- home store
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT,
    address_id INTEGER NOT NULL REFERENCES address(address_id),
    active INTEGER NOT NULL DEFAULT 1,
    create_date TEXT NOT NULL
);
CREATE TABLE film (
    film_id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT,
    release_year INTEGER,
    language_id INTEGER NOT NULL REFERENCES language(language_id),
    rental_duration INTEGER NOT NULL DEFAULT 3,
    rental_rate NUMERIC(4, 2) NOT NULL DEFAULT 4.99,
    length INTEGER,
    replacement_cost NUMERIC(5, 2) NOT NULL DEFAULT 19.99,
    rating TEXT DEFAULT 'G', -- G, PG, PG-13, R, NC-17
    last_update TEXT NOT NULL DEFAULT '2006-02-15 05:03:42'
);
CREATE TABLE category (category_id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE film_category (film_id INTEGER NOT NULL REFERENCES film(film_id),
    category_id INTEGER NOT NULL REFERENCES category(category_id), PRIMARY KEY (film_id, category_id));
CREATE TABLE actor (actor_id INTEGER PRIMARY KEY, first_name TEXT NOT NULL, last_name TEXT NOT NULL);
CREATE TABLE film_actor (actor_id INTEGER NOT NULL REFERENCES actor(actor_id),
    film_id INTEGER NOT NULL REFERENCES film(film_id), PRIMARY KEY (actor_id, film_id));
CREATE TABLE inventory (inventory_id INTEGER PRIMARY KEY, film_id INTEGER NOT NULL REFERENCES film(film_id),
    store_id INTEGER NOT NULL REFERENCES store(store_id));
CREATE TABLE rental (rental_id INTEGER PRIMARY KEY, rental_date TEXT NOT NULL,
    inventory_id INTEGER NOT NULL REFERENCES inventory(inventory_id),
    customer_id INTEGER NOT NULL REFERENCES customer(customer_id), return_date TEXT,
    staff_id INTEGER NOT NULL REFERENCES staff(staff_id));
CREATE TABLE payment (payment_id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customer(customer_id),
    staff_id INTEGER NOT NULL REFERENCES staff(staff_id),
    rental_id INTEGER REFERENCES rental(rental_id),
    amount NUMERIC(5, 2) NOT NULL,
    payment_date TEXT NOT NULL);
"""

FIRST = ["MARY", "PATRICIA", "LINDA", "BARBARA", "ELIZABETH", "JENNIFER", "MARIA", "SUSAN", "JOHN", "ROBERT",
         "MICHAEL", "WILLIAM", "DAVID", "RICHARD", "JOSEPH", "THOMAS"]  # fmt: skip
LAST = ["SMITH", "JOHNSON", "WILLIAMS", "JONES", "BROWN", "DAVIS", "MILLER", "WILSON", "MOORE", "TAYLOR"]
WORDS = ["ACADEMY", "DINOSAUR", "ACE", "GOLDFINGER", "ADAPTATION", "HOLES", "AFFAIR", "PREJUDICE", "AGENT",
         "TRUMAN", "AIRPLANE", "SIERRA", "ALABAMA", "DEVIL", "ALADDIN", "CALENDAR"]  # fmt: skip
RATINGS = ["G", "PG", "PG-13", "R", "NC-17"]


def create_sakila(path: Path) -> Path:
    """Create the database at ``path`` (deterministic rows from a fixed seed)."""
    rnd = random.Random(16)
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    db.executemany("INSERT INTO country VALUES (?, ?)", [(1, "Canada"), (2, "Australia"), (3, "Japan")])
    db.executemany("INSERT INTO city VALUES (?, ?, ?)", [(i, f"City {i}", 1 + i % 3) for i in range(1, 9)])
    db.executemany(
        "INSERT INTO address VALUES (?, ?, ?, ?, ?, ?)",
        [(i, f"{i * 17} Main Street", f"District {i % 5}", 1 + i % 8, f"{10000 + i}", f"555-{i:04d}")
         for i in range(1, 61)],
    )  # fmt: skip
    db.executemany("INSERT INTO language VALUES (?, ?)", [(1, "English"), (2, "Italian"), (3, "Japanese")])
    db.executemany(
        "INSERT INTO staff VALUES (?, ?, ?, ?, ?, ?, 1, ?)",
        [(1, "Mike", "Hillyer", 1, "mike@sakilastaff.com", 1, "Mike"),
         (2, "Jon", "Stephens", 2, "jon@sakilastaff.com", 2, "Jon")],
    )  # fmt: skip
    db.executemany("INSERT INTO store VALUES (?, ?, ?)", [(1, 1, 3), (2, 2, 4)])
    start = datetime(2005, 5, 24, 22, 53)
    customers = []
    for i in range(1, 41):
        first, last = FIRST[i % len(FIRST)], LAST[(i * 3) % len(LAST)]
        customers.append((i, 1 + (i % 3 == 0), first, last, f"{first}.{last}{i}@sakilacustomer.org", 4 + i,
                          0 if i % 11 == 0 else 1, (start - timedelta(days=400 - i)).isoformat(" ")))  # fmt: skip
    db.executemany("INSERT INTO customer VALUES (?, ?, ?, ?, ?, ?, ?, ?)", customers)
    films = []
    for i in range(1, 31):
        title = f"{WORDS[i % 16]} {WORDS[(i * 7) % 16]}"
        rate, length, cost = [0.99, 2.99, 4.99][i % 3], 46 + (i * 37) % 140, round(9.99 + (i % 21), 2)
        films.append((i, title, f"A {title.title()} story", 2006, 1 + (i % 7 == 0), 3 + i % 5, rate, length, cost,
                      RATINGS[i % 5]))  # fmt: skip
    db.executemany(
        "INSERT INTO film (film_id, title, description, release_year, language_id, rental_duration, rental_rate,"
        " length, replacement_cost, rating) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        films,
    )
    db.executemany("INSERT INTO category VALUES (?, ?)", [(1, "Action"), (2, "Comedy"), (3, "Drama"), (4, "Horror")])
    db.executemany("INSERT INTO film_category VALUES (?, ?)", [(i, 1 + i % 4) for i in range(1, 31)])
    db.executemany("INSERT INTO actor VALUES (?, ?, ?)", [(i, FIRST[i % 16], LAST[i % 10]) for i in range(1, 13)])
    db.executemany(
        "INSERT INTO film_actor VALUES (?, ?)", sorted({(1 + (f * k) % 12, f) for f in range(1, 31) for k in (1, 5)})
    )
    inventory = [(i, 1 + (i * 7) % 30, 1 + i % 2) for i in range(1, 81)]
    db.executemany("INSERT INTO inventory VALUES (?, ?, ?)", inventory)
    rentals, payments = [], []
    for i in range(1, 301):
        when = start + timedelta(hours=i * 5 + rnd.randint(0, 4), minutes=rnd.randint(0, 59))
        back = None if i % 17 == 0 else (when + timedelta(days=rnd.randint(1, 9))).isoformat(" ")
        customer = 1 + rnd.randint(0, 37)
        staff = 1 + i % 2
        rentals.append((i, when.isoformat(" "), 1 + rnd.randint(0, 79), customer, back, staff))
        if i % 13 != 0:
            amount = rnd.choice([0.99, 1.99, 2.99, 3.99, 4.99, 5.99, 7.99, 9.99])
            payments.append((len(payments) + 1, customer, staff, i, amount, (when + timedelta(hours=1)).isoformat(" ")))
    db.executemany("INSERT INTO rental VALUES (?, ?, ?, ?, ?, ?)", rentals)
    db.executemany("INSERT INTO payment VALUES (?, ?, ?, ?, ?, ?)", payments)
    db.commit()
    db.close()
    return path
