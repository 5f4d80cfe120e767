using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IdentityHost.IdentityServer.Mail;

/// <summary>Registers mail delivery: the outbox, its background sender, the templates and the links mails carry.</summary>
public static class MailExtensions
{
    /// <summary>
    /// Adds the outbox (<see cref="Outbox"/>), the background sender (SMTP through MailKit, or <c>.eml</c> files in
    /// <c>Email:PickupDirectory</c>), the mail templates and <see cref="MailLinks"/>. Outside Development, start-up fails
    /// unless a sender is configured (<c>Email:Smtp:Host</c> or <c>Email:PickupDirectory</c>, and <c>Email:From</c>), and
    /// unless <c>OpenIddict:Issuer</c> is set, since mail links are built from it.
    /// </summary>
    public static IHostApplicationBuilder AddMail(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var development = builder.Environment.IsDevelopment();
        builder.Services.AddOptions<EmailOptions>()
            .BindConfiguration(EmailOptions.SectionName)
            .Validate(options => development || !string.IsNullOrWhiteSpace(options.Smtp.Host) || !string.IsNullOrWhiteSpace(options.PickupDirectory),
                "Email:Smtp:Host is required outside Development (or Email:PickupDirectory, for a relay that picks up .eml files): " +
                "email verification and password reset send mail.")
            .Validate(options => development || !string.IsNullOrWhiteSpace(options.From),
                "Email:From is required outside Development: the address mails are sent from.")
            .Validate(options => options.From is null || MimeKit.MailboxAddress.TryParse(options.From, out _),
                "Email:From must be an email address.")
            .Validate(options => options.Smtp.Port is null or (> 0 and <= 65535), "Email:Smtp:Port must be between 1 and 65535.")
            .Validate(options => Enum.IsDefined(options.Smtp.Security), "Email:Smtp:Security must be None, StartTls or SslOnConnect.")
            .Validate(options => options.Outbox.PollInterval > TimeSpan.Zero, "Email:Outbox:PollInterval must be positive.")
            .Validate(options => options.Outbox.RetryBaseDelay > TimeSpan.Zero && options.Outbox.RetryMaxDelay >= options.Outbox.RetryBaseDelay,
                "Email:Outbox:RetryBaseDelay must be positive and at most Email:Outbox:RetryMaxDelay.")
            .Validate(options => options.Outbox.ClaimDuration >= TimeSpan.FromSeconds(1), "Email:Outbox:ClaimDuration must be at least a second.")
            .Validate(options => options.Outbox.BatchSize is >= 1 and <= 1000, "Email:Outbox:BatchSize must be between 1 and 1000.")
            .ValidateOnStart();
        builder.Services.AddOptions<MailLinkOptions>()
            .Configure<IConfiguration>((links, configuration) =>
                links.Issuer = Uri.TryCreate(configuration["OpenIddict:Issuer"], UriKind.Absolute, out var issuer) ? issuer : null)
            .Validate(links => development || links.Issuer is not null,
                "OpenIddict:Issuer is required outside Development: links in mails are built from it, never from a request's Host header.")
            .ValidateOnStart();

        builder.Services.AddSingleton<MailTemplates>();
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddSingleton<MailLinks>();
        builder.Services.AddScoped<Outbox>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<OutboxSender>();
        builder.Services.AddHostedService(services => services.GetRequiredService<OutboxSender>());
        return builder;
    }
}
