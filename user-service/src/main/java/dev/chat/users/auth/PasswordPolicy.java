package dev.chat.users.auth;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.ElementType.RECORD_COMPONENT;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;

/**
 * The rule for new passwords: 8 to 128 characters (Unicode code points, so an emoji counts once) and at
 * most {@value PasswordHasher#MAX_BYTES} bytes in UTF-8, the part of a password bcrypt actually reads. In
 * practice the byte limit binds first for ASCII (72 characters); the character limit caps the rest.
 * A null password is left to {@code @NotNull}.
 */
@Documented
@Constraint(validatedBy = PasswordPolicy.Validator.class)
@Target({ FIELD, PARAMETER, RECORD_COMPONENT })
@Retention(RUNTIME)
public @interface PasswordPolicy {
    int MIN_CHARS = 8;
    int MAX_CHARS = 128;

    String message() default "password must be 8 to 128 characters and at most 72 bytes in UTF-8";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<PasswordPolicy, String> {
        @Override
        public boolean isValid(String password, ConstraintValidatorContext context) {
            if (password == null) {
                return true;
            }
            int chars = password.codePointCount(0, password.length());
            String problem = null;
            if (chars < MIN_CHARS) {
                problem = "password must be at least " + MIN_CHARS + " characters";
            } else if (chars > MAX_CHARS) {
                problem = "password must be at most " + MAX_CHARS + " characters";
            } else if (PasswordHasher.utf8Length(password) > PasswordHasher.MAX_BYTES) {
                problem = "password must be at most " + PasswordHasher.MAX_BYTES
                        + " bytes in UTF-8 (bcrypt ignores anything longer)";
            }
            if (problem == null) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            context.buildConstraintViolationWithTemplate(problem).addConstraintViolation();
            return false;
        }
    }
}
