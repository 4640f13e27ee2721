export const metadata = { title: "nextauth-session demo (Better Auth)" };

export default function RootLayout({ children }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
