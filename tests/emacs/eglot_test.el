;;; eglot_test.el --- lsp-agent through plain eglot (Emacs 28, Debian elpa-eglot), in batch -*- lexical-binding: t -*-
;; Code actions are listed; a run asks "Apply"/"Reject" with window/showMessageRequest (eglot
;; has no change annotations), the edit lands in the buffer and the outcome comes as
;; window/showMessage. Exit status is the verdict. Environment: LSP_AGENT_CMD (JSON list),
;; WORKSPACE (holds calc.py).
(require 'cl-lib)
(require 'eglot)
(require 'python)

(defvar test-shown nil "Messages the server showed (window/showMessage).")
(defvar test-asked nil "Prompts the server asked (window/showMessageRequest).")

(defun test-fail (fmt &rest args)
  (message "FAIL: %s" (apply #'format fmt args))
  (dolist (buffer (buffer-list))
    (when (string-match-p "EGLOT.*\\(stderr\\|events\\)" (buffer-name buffer))
      (message "--- %s ---\n%s" (buffer-name buffer)
               (with-current-buffer buffer (buffer-substring-no-properties
                                            (max (point-min) (- (point-max) 6000)) (point-max))))))
  (kill-emacs 1))

(defun test-wait (what pred)
  "Process events until PRED holds, or fail naming WHAT."
  (let ((deadline (+ (float-time) 30)))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (condition-case err (accept-process-output nil 0.05)
        (error (test-fail "%s while waiting for %s" (error-message-string err) what))))
    (unless (funcall pred) (test-fail "timed out waiting for %s" what))))

(cl-defmethod eglot-handle-notification :before
  (_server (_method (eql window/showMessage)) &key _type message)
  (push message test-shown))

;; Batch mode cannot answer a minibuffer prompt: choose "Apply" the way a user would.
(advice-add 'completing-read :override
            (lambda (prompt collection &rest _)
              (push prompt test-asked)
              (if (member "Apply" collection) "Apply" (car collection))))

(setq eglot-confirm-server-initiated-edits nil)

(let* ((root (file-name-as-directory (getenv "WORKSPACE")))
       (cmd (append (json-parse-string (getenv "LSP_AGENT_CMD") :array-type 'list) nil)))
  (find-file (expand-file-name "calc.py" root))
  (python-mode)
  (eglot '(python-mode) (cons 'transient root) 'eglot-lsp-server cmd "python")
  (test-wait "eglot to connect" (lambda () (eglot-current-server)))
  (let* ((server (eglot-current-server))
         (actions (append (jsonrpc-request
                           server :textDocument/codeAction
                           (list :textDocument (eglot--TextDocumentIdentifier)
                                 :range (list :start '(:line 0 :character 0)
                                              :end '(:line 0 :character 0))
                                 :context '(:diagnostics [])))
                          nil))
         (titles (mapcar (lambda (a) (plist-get a :title)) actions)))
    (unless (member "Explain with Claude" titles)
      (test-fail "code actions lack \"Explain with Claude\": %S" titles))
    ;; eglot cannot ask for a prompt, so the action that needs one is not offered.
    (when (member "Ask Claude..." titles)
      (test-fail "code actions offer \"Ask Claude...\" to eglot: %S" titles))
    (eglot-execute-command server "lspAgent.ask"
                           (vector (list :uri (eglot--path-to-uri buffer-file-name)
                                         :prompt "Add type hints to add")))
    (test-wait "the edit in the buffer"
               (lambda () (save-excursion
                            (goto-char (point-min))
                            (looking-at-p "def add(a: int, b: int) -> int:"))))
    (unless (cl-some (lambda (p) (string-match-p "Claude wants to edit" p)) test-asked)
      (test-fail "no Apply/Reject prompt before the edit: %S" test-asked))
    (test-wait "the outcome in window/showMessage"
               (lambda () (cl-some (lambda (m) (string-match-p "Typed add" m)) test-shown)))
    (when (buffer-modified-p)
      (message "edited in the buffer, not saved: ok"))
    (eglot-shutdown server)
    (kill-emacs 0)))
