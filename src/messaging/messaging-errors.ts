/** The codes of the errors messaging/ raises, as API clients and step logs see them. */
export enum MessagingErrorCode {
  TemplateNotFound = 'TEMPLATE_NOT_FOUND',
  TwilioSignatureInvalid = 'TWILIO_SIGNATURE_INVALID',
  /** A provider refused a message for good; the step fails without retrying. */
  SmtpRejected = 'SMTP_REJECTED',
  TwilioRejected = 'TWILIO_REJECTED',
}
