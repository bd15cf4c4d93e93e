/**
 * Labelled questions for calibrating when /fast_chat says "I don't know" over the retrieval
 * corpus (487 npm READMEs, bench/retrieval/corpus-packages.txt).
 *
 * - answerable: bench/retrieval's 60 paraphrased questions; `expect` is the README that answers.
 * - unanswerable: 30 off-topic questions (general knowledge) and 30 near misses (software
 *   questions in the same register whose answer is in none of the READMEs: other languages,
 *   databases, infrastructure, libraries that are not in the corpus).
 *
 * The split was fixed before any tuning and is never changed to suit a result: within each of
 * the three lists, entries at even positions (0, 2, 4, …) form the tuning half, odd positions
 * the report half. Rules are chosen on the tuning half only; figures quoted are the report half's.
 */
import { QUESTIONS } from '../retrieval/questions';

export type Half = 'tune' | 'report';

export interface LabelledQuestion {
  question: string;
  answerable: boolean;
  /** The answering document, for answerable questions. */
  expect?: string;
  kind: 'paraphrase' | 'off-topic' | 'near-miss';
  half: Half;
}

const OFF_TOPIC = [
  'What is the capital of France?',
  'How long should I boil an egg for a soft yolk?',
  'Who wrote the play Hamlet?',
  'What is the tallest mountain on Earth?',
  'How does photosynthesis turn sunlight into sugar?',
  'What is the exchange rate between the euro and the dollar?',
  'Will it rain in Berlin tomorrow?',
  'Give me a recipe for vegetarian lasagne',
  'How many players are on a football team?',
  'When did the Second World War end?',
  'How fast does light travel in a vacuum?',
  'When is the best time to plant tomatoes?',
  'How do I tie a Windsor knot?',
  'How far is the Moon from the Earth?',
  'Who painted the Mona Lisa?',
  'Which is the largest ocean on the planet?',
  'How do you say hello in Japanese?',
  'What are the usual symptoms of the flu?',
  'How can I teach my puppy to sit?',
  'What are the rules for castling in chess?',
  'How many bones are in the adult human body?',
  'Where is the Eiffel Tower?',
  'At what temperature does water boil on a high mountain?',
  'How do I change a flat tyre on my car?',
  'What is the population of Tokyo?',
  'Who won the football World Cup in 2018?',
  'How do I knit a scarf for a beginner?',
  'What do giant pandas eat?',
  'Why is the sky blue during the day?',
  'How much sleep does a teenager need each night?',
];

const NEAR_MISS = [
  'How do I open a pooled connection to a PostgreSQL database and run a transaction?',
  'Render a React component on the server and hydrate it in the browser',
  'Send an email with attachments over SMTP',
  'Resize and crop a JPEG image before saving it as WebP',
  'Query a MongoDB collection with an aggregation pipeline',
  'Compile Rust code to WebAssembly and call it from the page',
  'Set up a Kubernetes horizontal pod autoscaler based on CPU usage',
  'Configure nginx as a reverse proxy that terminates TLS',
  'Send push notifications to iPhones through Apple Push Notification service',
  'Publish messages to a Redis channel and subscribe to them from another process',
  'Upload a file to a Google Cloud Storage bucket',
  'Train a neural network on images with TensorFlow',
  'Write a list comprehension in Python that filters even numbers',
  'Define a GraphQL schema with resolvers for a blog',
  'Broadcast a message to every client connected over WebSockets',
  'Hash user passwords with bcrypt before storing them',
  'Send a text message to a phone number through Twilio',
  'Scrape a web page by driving a headless Chrome browser',
  'Read rows and formulas from an Excel xlsx spreadsheet',
  'Draw an interactive bar chart in the browser with D3',
  'Translate the user interface into several languages with message catalogs',
  'Write a multi-stage Dockerfile that produces a small image',
  'Stream video to browsers with HLS adaptive bitrate',
  'Store Express sessions in a database so they survive restarts',
  'Convert Markdown documents into HTML pages',
  'Center a div horizontally and vertically with CSS grid',
  'Run database schema migrations for a SQL database',
  'Build an Android app with Kotlin and Jetpack Compose',
  'Create a virtual environment and install packages with pip',
  'Sign in users with their Google account using OAuth in a single-page app',
];

/** Even positions of each list tune, odd positions report (fixed before tuning). */
const halfOf = (index: number): Half => (index % 2 === 0 ? 'tune' : 'report');

export const LABELLED_QUESTIONS: LabelledQuestion[] = [
  ...QUESTIONS.map(({ question, expect }, i) => ({
    question,
    expect,
    answerable: true,
    kind: 'paraphrase' as const,
    half: halfOf(i),
  })),
  ...OFF_TOPIC.map((question, i) => ({
    question,
    answerable: false,
    kind: 'off-topic' as const,
    half: halfOf(i),
  })),
  ...NEAR_MISS.map((question, i) => ({
    question,
    answerable: false,
    kind: 'near-miss' as const,
    half: halfOf(i),
  })),
];
