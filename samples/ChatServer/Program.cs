using ChatServer.Chat;

// The multiplayer chat of Reactive.Edits: raw WebSockets, cookie auth, presence, and a Blazor WebAssembly client.
var builder = WebApplication.CreateBuilder(args);

// Options (section "Chat"), the room, presence, validation and the cookie authentication.
builder.AddChat();

var app = builder.Build();

// Content-Security-Policy and friends, on every response, static files included.
app.UseSecurityHeaders();

// The Blazor WebAssembly client's files; in Development they are served from the build output.
if (app.Environment.IsDevelopment())
{
    app.UseWebAssemblyDebugging();
}
app.UseStaticFiles();

// Authentication, then the WebSockets middleware (keep-alive, allowed origins).
app.UseChat();

// /auth, /auth/me, /auth/logout and the socket at /chat/ws.
app.MapChat();

// The client: its static assets, and index.html for every other path.
app.MapStaticAssets();
app.MapFallbackToFile("index.html");

app.Run();
