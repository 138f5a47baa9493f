-- A chatbot database at schema version 3, as the release of commit d8edf56 (Nov 2026,
-- before incidents) left it: made by that code's own server and CLI (a customer chat
-- to ticket HS-104201, the admin Ana, who claimed it, replied and left a note), then
-- dumped with sqlite3's iterdump. Agent password: old-release-password.
-- tests/test_upgrade.py starts the current server on it.
BEGIN TRANSACTION;
CREATE TABLE agent_sessions (
        token_hash TEXT PRIMARY KEY,
        agent_id TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
        created_at REAL NOT NULL,
        expires_at REAL NOT NULL
    );
INSERT INTO "agent_sessions" VALUES('766dd3645cf45fddb3cc5e57c080b8b6248982f80783ba0fbfe3b58255cb2142','a_4LiD_03VO8_D',1.79668046942478442187e+09,1.79672366942478442192e+09);
INSERT INTO "agent_sessions" VALUES('02c368dfb26eb1273164dbd0b4d3cad50e691c430ab8aab056a4680e94055f83','a_4LiD_03VO8_D',1.7966804745855927467e+09,1.79672367458559274671e+09);
CREATE TABLE agents (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE COLLATE NOCASE,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        created_at REAL NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0
    );
INSERT INTO "agents" VALUES('a_4LiD_03VO8_D','ana@support.example','Ana','admin','$argon2id$v=19$m=65536,t=3,p=4$NolVxAt1qqMAYOOVxSPPjA$xvN26Fn/TJxawvuuuFld8VIHcn87rBMLUifdUjh6Kfk',1.79668045195286107062e+09,0);
CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        visitor_id TEXT NOT NULL,
        language TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT '{}',
        last_seq INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
INSERT INTO "conversations" VALUES('c_QoQ0wFPcya62JYj5','OimElwEMKyfmXjLkzNAJAA','en','{"language":"en","language_source":"detected","awaiting":"use_open_ticket","article_id":"email-outgoing","query":"it started yesterday evening, I use Outlook on Windows","misses":1,"facts":{"domain":["kafebar.no"],"email":["ana@kafebar.no"],"error_code":["550","5.7.1"],"time":["2026-12-07T03:54"],"mail_client":["Outlook"],"os":["Windows"]},"pending_requests":[],"service":"email","form":null,"urgent":false,"offered_ticket":"HS-104201","processed_seq":11}',14,1.79668045304151153566e+09,1.7966804746028528214e+09);
CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO "counters" VALUES('ticket',104201);
CREATE TABLE messages (
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        id TEXT NOT NULL,
        sender TEXT NOT NULL,
        text TEXT NOT NULL,
        data TEXT NOT NULL DEFAULT '{}',
        at REAL NOT NULL,
        PRIMARY KEY (conversation_id, seq),
        UNIQUE (conversation_id, id)
    );
INSERT INTO "messages" VALUES('c_QoQ0wFPcya62JYj5',1,'old1','customer','my mail to ana@kafebar.no bounces with 550 5.7.1','{}',1.79668045304406952863e+09);
INSERT INTO "messages" VALUES('c_QoQ0wFPcya62JYj5',2,'#b1.0','bot','I think this article answers your question:

I can''t send email: fixing SMTP errors
Use mail.aurorahost.example on port 587 (STARTTLS) or 465 (SSL/TLS) with SMTP authentication and your full email address as the user name.','{"lang":"en","articles":[{"id":"email-outgoing","lang":"en","title":"I can''t send email: fixing SMTP errors","summary":"Use mail.aurorahost.example on port 587 (STARTTLS) or 465 (SSL/TLS) with SMTP authentication and your full email address as the user name.","url":"https://help.aurorahost.example/en/email-outgoing"}]}',1.79668045307675051684e+09);
INSERT INTO "messages" VALUES('c_QoQ0wFPcya62JYj5',3,'#b1.1','bot','Did this solve your problem?','{"lang":"en","ask":{"field":"solved","kind":"yes_no","options":[{"value":"yes","label":"Yes"},{"value":"no","label":"No"}]}}',1.79668045307675051684e+09);
INSERT INTO "messages" VALUES('c_QoQ0wFPcya62JYj5',4,'old2','customer','no, that did not help, I want to talk to a person','{}',1.79668045705717825894e+09);
INSERT INTO "messages" VALUES('c_QoQ0wFPcya62JYj5',5,'#b4.0','bot','I''ll hand this over to our support team now, with what we have so far.','{"lang":"en"}',1796680457.06807);
INSERT INTO "messages" VALUES('c_QoQ0wFPcya62JYj5',6,'#b4.1','bot','Your ticket number is HS-104201. Our support team will answer by 08 Dec 2026, 12:00. Please mention the number if you write to us about this again.','{"lang":"en"}',1796680457.06807);
INSERT INTO "messages" VALUES('c_QoQ0wFPcya62JYj5',7,'#qHS-104201','system','Our support team is not online right now. They will answer by 08 Dec 2026, 12:00. You can close this window: the answer will be waiting here when you come back.','{"lang":"en","event":"queue_offline"}',1.79668045707141208651e+09);
INSERT INTO "messages" VALUES('c_QoQ0wFPcya62JYj5',8,'old3','customer','it started yesterday evening, I use Outlook on Windows','{}',1.79668046106556415558e+09);
INSERT INTO "messages" VALUES('c_QoQ0wFPcya62JYj5',9,'#b8.0','bot','I couldn''t find an article in our help centre that answers this.','{"lang":"en"}',1.79668046109475755696e+09);
INSERT INTO "messages" VALUES('c_QoQ0wFPcya62JYj5',10,'#b8.1','bot','Shall I pass this on to our support team as a ticket?','{"lang":"en","ask":{"field":"open_ticket","kind":"yes_no","options":[{"value":"yes","label":"Yes"},{"value":"no","label":"No"}]}}',1.79668046109475755696e+09);
INSERT INTO "messages" VALUES('c_QoQ0wFPcya62JYj5',11,'old4','customer','yes','{}',1.7966804650696778298e+09);
INSERT INTO "messages" VALUES('c_QoQ0wFPcya62JYj5',12,'#b11.0','bot','You already have an open ticket about this: HS-104201 (Mail problem for ana@kafebar.no, error 550 5.7.1). Shall I add your message to it instead of opening a new one?','{"lang":"en","ask":{"field":"use_open_ticket","kind":"yes_no","options":[{"value":"yes","label":"Yes"},{"value":"no","label":"No"}]}}',1.79668046508290314678e+09);
INSERT INTO "messages" VALUES('c_QoQ0wFPcya62JYj5',13,'#jHS-104201.1796680474599','system','Ana from our support team has joined the chat.','{"lang":"en","event":"agent_joined","agent":{"id":"a_4LiD_03VO8_D","name":"Ana"}}',1.79668047459995937342e+09);
INSERT INTO "messages" VALUES('c_QoQ0wFPcya62JYj5',14,'@ag1','agent','Hi Ana, your server''s address is on a blocklist; I have asked for its removal.','{"agent":{"id":"a_4LiD_03VO8_D","name":"Ana"}}',1.7966804746028528214e+09);
CREATE TABLE notes (
        ticket TEXT NOT NULL REFERENCES tickets (number) ON DELETE CASCADE,
        id TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        text TEXT NOT NULL,
        at REAL NOT NULL,
        PRIMARY KEY (ticket, id)
    );
INSERT INTO "notes" VALUES('HS-104201','n1','a_4LiD_03VO8_D','Listed on a DNSBL since Friday; removal requested.',1.79668047460473132136e+09);
CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        key TEXT,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        due_at REAL NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        done_at REAL
    );
CREATE TABLE tickets (
        number TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        visitor_id TEXT NOT NULL,
        status TEXT NOT NULL,
        service TEXT NOT NULL,
        title TEXT NOT NULL,
        language TEXT NOT NULL,
        priority TEXT NOT NULL,
        fields TEXT NOT NULL,
        missing TEXT NOT NULL,
        expected_response TEXT,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        source TEXT NOT NULL UNIQUE,
        customer TEXT NOT NULL DEFAULT '{}'
    , assignee TEXT REFERENCES agents (id), claimed_at REAL, first_response_at REAL, closed_at REAL, resolution TEXT, rating INTEGER, rating_comment TEXT, emailed_seq INTEGER NOT NULL DEFAULT 0);
INSERT INTO "tickets" VALUES('HS-104201','c_QoQ0wFPcya62JYj5','OimElwEMKyfmXjLkzNAJAA','in_progress','email','Mail problem for ana@kafebar.no, error 550 5.7.1','en','normal','{"domain":"kafebar.no","email_account":"ana@kafebar.no","error_message":"550 5.7.1","description":"my mail to ana@kafebar.no bounces with 550 5.7.1"}','["email_direction", "webmail_works", "started", "permission"]','2026-12-08T12:00:00+01:00',1796680457.06807,1.79668047459916853901e+09,'c_QoQ0wFPcya62JYj5#4','{}','a_4LiD_03VO8_D',1.79668047459916853901e+09,1.7966804746028528214e+09,NULL,NULL,NULL,NULL,0);
CREATE INDEX conversations_by_visitor ON conversations (visitor_id, created_at);
CREATE INDEX tickets_by_visitor ON tickets (visitor_id, created_at);
CREATE INDEX tickets_by_status ON tickets (status, created_at);
CREATE INDEX tickets_by_assignee ON tickets (assignee, status);
CREATE UNIQUE INDEX outbox_pending_key ON outbox (key) WHERE done_at IS NULL;
CREATE INDEX outbox_due ON outbox (done_at, due_at);
DELETE FROM "sqlite_sequence";
COMMIT;
PRAGMA user_version = 3;
